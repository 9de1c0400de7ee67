package org.recycledattention.model.format;

import static java.util.Objects.requireNonNull;

import org.recycledattention.api.model.ModelShape;

/**
 * Hyper-parameters of a Llama-family model, whatever file it came from.
 *
 * <p>Every value is checked on construction, so that no reader can hand the forward pass a
 * configuration it cannot run: sizes are positive, every width (and every product of a head count
 * with the head dimension) is at most {@link #MAX_WIDTH}, the head dimension is even (RoPE rotates
 * pairs), the norm epsilon and the RoPE base are finite and positive. Readers turn the {@link
 * IllegalArgumentException} into a message naming their own keys.
 *
 * @param architecture "llama", "qwen2", "mistral", ...
 * @param dim embedding width
 * @param ffnDim SwiGLU hidden width
 * @param layers transformer layers
 * @param heads query heads
 * @param kvHeads key/value heads
 * @param headDim elements per head
 * @param vocabSize vocabulary size
 * @param contextLength the longest sequence the model supports
 * @param normEps RMSNorm epsilon
 * @param ropeTheta RoPE base frequency
 * @param ropeInterleaved true: rotate pairs (2i, 2i+1) (GGUF, llama2.c); false: rotate (i, i + headDim/2) (HF)
 * @param ropeScaling llama3-style frequency scaling, or null
 * @param qkvBias q/k/v projections have biases (Qwen2)
 * @param tiedOutput the output projection is the token embedding
 */
public record ModelConfig(String architecture, int dim, int ffnDim, int layers, int heads, int kvHeads, int headDim, int vocabSize,
    int contextLength, float normEps, float ropeTheta, boolean ropeInterleaved, RopeScaling ropeScaling, boolean qkvBias, boolean tiedOutput) {

  /**
   * The widest any dimension may be (embedding, FFN, vocabulary, heads x head dimension): 4M, far
   * beyond real models, small enough that a prefill chunk of activations of that width stays within
   * a Java array.
   */
  public static final int MAX_WIDTH = 1 << 22;
  /** The most layers a model may have. */
  public static final int MAX_LAYERS = 1 << 16;

  /** Llama 3.x RoPE frequency scaling ("rope_type": "llama3"). */
  public record RopeScaling(float factor, float lowFreqFactor, float highFreqFactor, int originalContextLength) {
    public RopeScaling {
      if (!finitePositive(factor) || !finitePositive(lowFreqFactor) || !finitePositive(highFreqFactor) || !(highFreqFactor > lowFreqFactor)
          || originalContextLength < 1) {
        throw new IllegalArgumentException("llama3 RoPE scaling needs a finite positive factor, low_freq_factor < high_freq_factor and an original"
            + " context length >= 1; got factor " + factor + ", low " + lowFreqFactor + ", high " + highFreqFactor + ", original " + originalContextLength);
      }
    }
  }

  public ModelConfig {
    requireNonNull(architecture, "architecture is null");
    width("dim", dim);
    width("ffn dim", ffnDim);
    width("vocabulary size", vocabSize);
    if (layers < 1 || layers > MAX_LAYERS) {
      throw new IllegalArgumentException("layers is " + layers + "; expected 1.." + MAX_LAYERS);
    }
    if (heads < 1 || kvHeads < 1 || heads % kvHeads != 0) {
      throw new IllegalArgumentException("heads (" + heads + ") must be a positive multiple of kv heads (" + kvHeads + ")");
    }
    if (headDim < 2 || headDim % 2 != 0) {
      throw new IllegalArgumentException("the head dimension is " + headDim + "; expected an even number >= 2 (RoPE rotates pairs)");
    }
    width("heads x head dimension", (long) heads * headDim);
    if (contextLength < 1) {
      throw new IllegalArgumentException("the context length is " + contextLength + "; expected >= 1");
    }
    if (!finitePositive(normEps)) {
      throw new IllegalArgumentException("the RMSNorm epsilon is " + normEps + "; expected a finite number > 0");
    }
    if (!finitePositive(ropeTheta)) {
      throw new IllegalArgumentException("the RoPE base frequency is " + ropeTheta + "; expected a finite number > 0");
    }
  }

  private static void width(String what, long value) {
    if (value < 1 || value > MAX_WIDTH) {
      throw new IllegalArgumentException(what + " is " + value + "; expected 1.." + MAX_WIDTH);
    }
  }

  private static boolean finitePositive(float v) {
    return v > 0 && Float.isFinite(v);
  }

  public ModelShape shape() {
    return new ModelShape(layers, heads, kvHeads, headDim, contextLength);
  }
}
