package org.recycledattention.model.format.gguf;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.format.FileAccess;
import org.recycledattention.model.format.LayerWeights;
import org.recycledattention.model.format.LoadedWeights;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.format.ModelFormat;
import org.recycledattention.model.format.ModelReader;
import org.recycledattention.model.format.Weights;
import org.recycledattention.model.io.SafeText;
import org.recycledattention.model.llama.Rope;
import org.recycledattention.model.tensor.FloatTensor;

/**
 * Reads a llama-family GGUF: {@code general.architecture} of {@code llama}, {@code mistral} or
 * {@code qwen2}, hyper-parameters under {@code <arch>.*} and tensors named as llama.cpp names them.
 *
 * <p>RoPE: llama.cpp's converter permutes Llama/Mistral q/k weights so that RoPE rotates
 * interleaved pairs {@code (2i, 2i+1)}; Qwen2 keeps the Hugging Face layout and llama.cpp rotates
 * it NEOX-style, i.e. half-split. Llama 3.1 frequency scaling is recognised from a {@code
 * rope_freqs.weight} tensor or {@code <arch>.rope.scaling.type = llama3}.
 */
public final class GgufModelReader implements ModelReader {
  private static final List<String> ARCHITECTURES = List.of("llama", "mistral", "qwen2");

  @Override
  public ModelFormat format() {
    return ModelFormat.GGUF;
  }

  @Override
  public boolean recognizes(Path path, ByteBuffer head, long size) {
    return head.remaining() >= 4 && head.getInt(0) == GgufFile.MAGIC;
  }

  @Override
  public String expected() {
    return "a GGUF file (magic \"GGUF\")";
  }

  @Override
  public LoadedWeights read(Path path, FileAccess access) {
    GgufFile file = GgufFile.open(path, access);
    try {
      ModelConfig config = config(file);
      Weights weights = weights(file, config);
      weights.checkShapes(config, path);
      String description = "GGUF v" + file.version() + " " + config.architecture() + ", " + config.layers() + " layers, dim " + config.dim()
          + ", vocab " + config.vocabSize() + ", " + weightTypes(file);
      return new LoadedWeights(ModelFormat.GGUF, path, config, weights, file.metadata(), description, file, file.files());
    } catch (RuntimeException | Error e) {
      file.close();
      throw e;
    }
  }

  /**
   * The configuration {@code file}'s metadata describes.
   *
   * @throws ModelFormatException naming the key that is missing or wrong
   */
  public static ModelConfig config(GgufFile file) {
    try {
      return checkedConfig(file);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(file.path(), -1, "inconsistent hyper-parameters: " + e.getMessage(), e);
    }
  }

  private static ModelConfig checkedConfig(GgufFile file) {
    Path path = file.path();
    String arch = file.string("general.architecture").orElseThrow(() ->
        new ModelFormatException(path, -1, "metadata 'general.architecture' is missing; expected one of " + ARCHITECTURES));
    if (!ARCHITECTURES.contains(arch)) {
      throw new ModelFormatException(path, -1, "architecture '" + SafeText.of(arch) + "' is not supported; expected one of " + ARCHITECTURES);
    }
    int dim = required(file, arch + ".embedding_length", ModelConfig.MAX_WIDTH);
    int ffn = required(file, arch + ".feed_forward_length", ModelConfig.MAX_WIDTH);
    int layers = required(file, arch + ".block_count", ModelConfig.MAX_LAYERS);
    int heads = required(file, arch + ".attention.head_count", ModelConfig.MAX_WIDTH);
    int kvHeads = file.intValue(arch + ".attention.head_count_kv", heads);
    int context = required(file, arch + ".context_length", Integer.MAX_VALUE);
    if (heads < 1 || kvHeads < 1 || heads % kvHeads != 0) {
      throw new ModelFormatException(path, -1, arch + ".attention.head_count (" + heads + ") must be a positive multiple of head_count_kv (" + kvHeads + ")");
    }
    String keyLength = arch + ".attention.key_length";
    int headDim = file.intValue(keyLength, dim / heads);
    if (headDim < 2 || headDim % 2 != 0) {
      throw new ModelFormatException(path, -1, keyLength + " (the head dimension" + (file.metadata().containsKey(keyLength) ? "" : ", embedding_length / head_count")
          + ") is " + headDim + "; expected an even number >= 2, as RoPE rotates pairs");
    }
    long width = (long) heads * headDim;
    if (width > ModelConfig.MAX_WIDTH) {
      throw new ModelFormatException(path, -1, arch + ".attention.head_count (" + heads + ") x " + keyLength + " (" + headDim + ") is " + width
          + ", wider than any model (" + ModelConfig.MAX_WIDTH + "); the header is corrupt");
    }
    int ropeDims = file.intValue(arch + ".rope.dimension_count", headDim);
    if (ropeDims != headDim) {
      throw new ModelFormatException(path, -1, arch + ".rope.dimension_count is " + ropeDims + " but heads have " + headDim
          + " elements; partial rotary embeddings are not supported");
    }
    float eps = positiveNumber(file, arch + ".attention.layer_norm_rms_epsilon", 1e-5f);
    float theta = positiveNumber(file, arch + ".rope.freq_base", 10000f);
    GgufTensorInfo embd = file.tensor("token_embd.weight").orElseThrow(() ->
        new ModelFormatException(path, -1, "tensor 'token_embd.weight' is missing; the file is not a complete " + arch + " model"));
    if (embd.dims().length != 2 || embd.dims()[1] > Integer.MAX_VALUE) {
      throw new ModelFormatException(path, embd.infoOffset(), "tensor 'token_embd.weight' must be 2-D (dim x vocab)");
    }
    int vocab = (int) embd.dims()[1];
    checkLayersInFile(file, arch, layers);
    boolean tied = file.tensor("output.weight").isEmpty();
    boolean bias = file.tensor("blk.0.attn_q.bias").isPresent();
    boolean interleaved = !arch.equals("qwen2");
    ModelConfig.RopeScaling scaling = ropeScaling(file, arch, theta, headDim);
    return new ModelConfig(arch, dim, ffn, layers, heads, kvHeads, headDim, vocab, context, eps, theta, interleaved, scaling, bias, tied);
  }

  /** {@code key} as a finite number > 0, or {@code fallback} when absent. */
  private static float positiveNumber(GgufFile file, String key, float fallback) {
    float v = file.floatValue(key, fallback);
    if (!(v > 0) || !Float.isFinite(v)) {
      throw new ModelFormatException(file.path(), -1, "metadata '" + key + "' is " + v + "; expected a finite number > 0");
    }
    return v;
  }

  /** No tensor of a layer at or past {@code block_count}: a file whose count is too small would run part of the model. */
  private static void checkLayersInFile(GgufFile file, String arch, int layers) {
    int last = -1;
    for (String name : file.tensors().keySet()) {
      if (name.startsWith("blk.")) {
        int dot = name.indexOf('.', 4);
        try {
          last = Math.max(last, Integer.parseInt(name.substring(4, dot < 0 ? name.length() : dot)));
        } catch (NumberFormatException e) {
          // not a layer tensor
        }
      }
    }
    if (last >= layers) {
      throw new ModelFormatException(file.path(), -1, arch + ".block_count is " + layers + " but the file has tensors of layer blk." + last
          + " (" + (last + 1) + " layers); the header is inconsistent with the tensors");
    }
  }

  private static ModelConfig.RopeScaling ropeScaling(GgufFile file, String arch, float theta, int headDim) {
    Path path = file.path();
    String type = file.string(arch + ".rope.scaling.type").orElse(null);
    boolean freqTensor = file.tensor("rope_freqs.weight").isPresent();
    if (type != null && !type.equals("none") && !type.equals("llama3")) {
      throw new ModelFormatException(path, -1, arch + ".rope.scaling.type is '" + type + "'; only llama3-style scaling (or none) is supported");
    }
    if (!freqTensor && !"llama3".equals(type)) {
      return null;
    }
    ModelConfig.RopeScaling fromKeys = new ModelConfig.RopeScaling(file.floatValue(arch + ".rope.scaling.factor", 8f),
        file.floatValue(arch + ".rope.scaling.low_freq_factor", 1f), file.floatValue(arch + ".rope.scaling.high_freq_factor", 4f),
        file.intValue(arch + ".rope.scaling.original_context_length", 8192));
    if (!freqTensor) {
      return fromKeys;
    }
    // llama.cpp stores the per-frequency divisors (rope_freqs) instead of the parameters
    float[] stored = file.floatTensor("rope_freqs.weight").toArray();
    if (stored.length != headDim / 2) {
      throw new ModelFormatException(path, -1, "tensor 'rope_freqs.weight' has " + stored.length + " values; expected " + headDim / 2);
    }
    double[] freqs = new double[stored.length];
    for (int i = 0; i < freqs.length; i++) {
      freqs[i] = 1.0 / Math.pow(theta, (2 * i) / (double) headDim);
    }
    if (matches(stored, freqs, fromKeys)) {
      return fromKeys;
    }
    ModelConfig.RopeScaling fitted = fitLlama3(stored, freqs, fromKeys.originalContextLength());
    if (fitted == null) {
      boolean none = true;
      for (float f : stored) {
        none &= Math.abs(f - 1) < 1e-6;
      }
      if (none) {
        return null;
      }
    } else if (matches(stored, freqs, fitted)) {
      return fitted;
    }
    throw new ModelFormatException(path, -1, "tensor 'rope_freqs.weight' holds RoPE frequency divisors that no llama3-style scaling reproduces; "
        + "this RoPE scaling is not supported");
  }

  private static boolean matches(float[] stored, double[] freqs, ModelConfig.RopeScaling s) {
    for (int i = 0; i < stored.length; i++) {
      double expected = freqs[i] / Rope.llama3Frequency(freqs[i], s);
      if (!(Math.abs(stored[i] - expected) <= 1e-3 * expected)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The llama3 parameters that give {@code stored}: the factor is the largest divisor; in the band
   * between, {@code 1/f = (1 - s)/factor + s} with {@code s = a·freq + b}, so two in-band values fix
   * {@code a} and {@code b}, and with the original context length they fix the low and high
   * frequency factors. Null when fewer than two values lie in the band.
   */
  private static ModelConfig.RopeScaling fitLlama3(float[] stored, double[] freqs, int original) {
    double factor = 0;
    for (float f : stored) {
      factor = Math.max(factor, f);
    }
    if (factor <= 1 + 1e-6) {
      return null;
    }
    int first = -1;
    int last = -1;
    for (int i = 0; i < stored.length; i++) {
      if (stored[i] > 1 + 1e-4 && stored[i] < factor * (1 - 1e-4)) {
        if (first < 0) {
          first = i;
        }
        last = i;
      }
    }
    if (first < 0 || first == last) {
      return null;
    }
    double s1 = (1 / stored[first] - 1 / factor) / (1 - 1 / factor);
    double s2 = (1 / stored[last] - 1 / factor) / (1 - 1 / factor);
    double a = (s1 - s2) / (freqs[first] - freqs[last]);
    double b = s1 - a * freqs[first];
    // s = (original / wavelen - low) / (high - low), wavelen = 2π / freq
    double span = original / (2 * Math.PI * a);
    double low = -b * span;
    double high = low + span;
    if (!(span > 0 && low > 0)) {
      return null;
    }
    return new ModelConfig.RopeScaling((float) factor, (float) low, (float) high, original);
  }

  private static int required(GgufFile file, String key, int max) {
    int v = file.intValue(key, Integer.MIN_VALUE);
    if (v == Integer.MIN_VALUE) {
      throw new ModelFormatException(file.path(), -1, "metadata '" + key + "' is missing; the file is not a complete model");
    }
    if (v < 1 || v > max) {
      throw new ModelFormatException(file.path(), -1, "metadata '" + key + "' is " + v + "; expected an integer in 1.." + max);
    }
    return v;
  }

  /** The weights of {@code config} from {@code file}'s tensors. */
  public static Weights weights(GgufFile file, ModelConfig config) {
    FloatTensor embedding = file.floatTensor("token_embd.weight");
    // capacity capped: the layer count is checked tensor by tensor below, not trusted for an allocation
    List<LayerWeights> layers = new ArrayList<>(Math.min(config.layers(), 1024));
    for (int i = 0; i < config.layers(); i++) {
      String p = "blk." + i + ".";
      FloatTensor bq = null;
      FloatTensor bk = null;
      FloatTensor bv = null;
      if (config.qkvBias()) {
        bq = file.floatTensor(p + "attn_q.bias");
        bk = file.floatTensor(p + "attn_k.bias");
        bv = file.floatTensor(p + "attn_v.bias");
      }
      layers.add(new LayerWeights(file.floatTensor(p + "attn_norm.weight"), file.floatTensor(p + "attn_q.weight"), file.floatTensor(p + "attn_k.weight"),
          file.floatTensor(p + "attn_v.weight"), bq, bk, bv, file.floatTensor(p + "attn_output.weight"), file.floatTensor(p + "ffn_norm.weight"),
          file.floatTensor(p + "ffn_gate.weight"), file.floatTensor(p + "ffn_down.weight"), file.floatTensor(p + "ffn_up.weight")));
    }
    FloatTensor output = config.tiedOutput() ? embedding : file.floatTensor("output.weight");
    return new Weights(embedding, layers, file.floatTensor("output_norm.weight"), output);
  }

  /** "Q8_0 (12 tensors), F16 (5), F32 (11)": the tensor types, most bytes first. */
  private static String weightTypes(GgufFile file) {
    Map<String, long[]> byType = new TreeMap<>();
    for (GgufTensorInfo t : file.tensors().values()) {
      long[] acc = byType.computeIfAbsent(t.typeName(), k -> new long[2]);
      acc[0] += Math.max(t.bytes(), 0);
      acc[1]++;
    }
    List<Map.Entry<String, long[]>> entries = new ArrayList<>(byType.entrySet());
    entries.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, long[]> e : entries) {
      if (!sb.isEmpty()) {
        sb.append(", ");
      }
      sb.append(e.getKey()).append(" (").append(e.getValue()[1]).append(e.getValue()[1] == 1 ? " tensor)" : " tensors)");
    }
    return sb.toString();
  }
}
