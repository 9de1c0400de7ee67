package org.recycledattention.model.llama;

import org.recycledattention.model.format.ModelConfig;

/**
 * Rotary position embeddings. Pair {@code i} of a head ({@code 0 <= i < headDim/2}) rotates by
 * {@code position · freq_i}, {@code freq_i = theta^(-2i/headDim)} (llama3-scaled when the config
 * says so). Interleaved layout rotates elements {@code (2i, 2i+1)} (GGUF, llama2.c); half-split
 * rotates {@code (i, i + headDim/2)} (Hugging Face).
 *
 * <p>Immutable and thread-safe; the per-position tables live in the caller's scratch arrays.
 */
public final class Rope {
  private final int headDim;
  private final boolean interleaved;
  private final float[] frequencies;

  public Rope(ModelConfig config) {
    this.headDim = config.headDim();
    this.interleaved = config.ropeInterleaved();
    this.frequencies = new float[headDim / 2];
    for (int i = 0; i < frequencies.length; i++) {
      // as llama2.c: 1 / powf(theta, 2i / headDim), in f32
      float freq = (float) (1.0 / Math.pow(config.ropeTheta(), (2 * i) / (float) headDim));
      if (config.ropeScaling() != null) {
        freq = (float) llama3Frequency(freq, config.ropeScaling());
      }
      frequencies[i] = freq;
    }
  }

  /**
   * Llama 3.1's frequency scaling ({@code apply_scaling} in Meta's reference code): long
   * wavelengths are slowed by {@code factor}, short ones kept, the band between interpolated.
   */
  public static double llama3Frequency(double freq, ModelConfig.RopeScaling s) {
    double lowFreqWavelen = s.originalContextLength() / s.lowFreqFactor();
    double highFreqWavelen = s.originalContextLength() / s.highFreqFactor();
    double wavelen = 2 * Math.PI / freq;
    if (wavelen < highFreqWavelen) {
      return freq;
    }
    if (wavelen > lowFreqWavelen) {
      return freq / s.factor();
    }
    double smooth = (s.originalContextLength() / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
    return (1 - smooth) * freq / s.factor() + smooth * freq;
  }

  /** Fills {@code cos[offset .. offset + headDim/2)} and {@code sin[..]} for {@code position}. */
  public void table(int position, float[] cos, float[] sin, int offset) {
    for (int i = 0; i < frequencies.length; i++) {
      float angle = position * frequencies[i];
      cos[offset + i] = (float) Math.cos(angle);
      sin[offset + i] = (float) Math.sin(angle);
    }
  }

  /**
   * Rotates {@code heads} consecutive head vectors starting at {@code x[offset]} in place, with
   * the table at {@code cos[t ..]}, {@code sin[t ..]}.
   */
  public void rotate(float[] x, int offset, int heads, float[] cos, float[] sin, int t) {
    int half = headDim / 2;
    for (int h = 0; h < heads; h++) {
      int base = offset + h * headDim;
      if (interleaved) {
        for (int i = 0; i < half; i++) {
          float a = x[base + 2 * i];
          float b = x[base + 2 * i + 1];
          x[base + 2 * i] = a * cos[t + i] - b * sin[t + i];
          x[base + 2 * i + 1] = a * sin[t + i] + b * cos[t + i];
        }
      } else {
        for (int i = 0; i < half; i++) {
          float a = x[base + i];
          float b = x[base + i + half];
          x[base + i] = a * cos[t + i] - b * sin[t + i];
          x[base + i + half] = a * sin[t + i] + b * cos[t + i];
        }
      }
    }
  }
}
