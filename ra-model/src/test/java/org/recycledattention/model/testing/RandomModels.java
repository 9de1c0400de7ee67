package org.recycledattention.model.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.recycledattention.model.format.LayerWeights;
import org.recycledattention.model.format.LoadedWeights;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.format.ModelFormat;
import org.recycledattention.model.format.Weights;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.tensor.ArrayTensor;

/** Small random Llama models on the heap, for tests that need no fixture. */
public final class RandomModels {
  private RandomModels() {}

  /** dim 32, ffn 48, 2 layers, 4 heads, 2 KV heads, vocab 40, context 64, no biases. */
  public static ModelConfig smallConfig() {
    return new ModelConfig("llama", 32, 48, 2, 4, 2, 8, 40, 64, 1e-5f, 10000f, true, null, false, false);
  }

  /** A model of {@code config} with Gaussian weights from {@code seed}. */
  public static LlamaModel random(ModelConfig config, long seed) {
    return random(config, seed, -1);
  }

  /** Like {@link #random(ModelConfig, long)}, with a NaN in layer {@code nanLayer}'s down projection (-1: none). */
  public static LlamaModel random(ModelConfig config, long seed, int nanLayer) {
    return random(config, seed, nanLayer, null);
  }

  /** Like {@link #random(ModelConfig, long, int)}, carrying {@code tokenizer} (may be null). */
  public static LlamaModel random(ModelConfig config, long seed, int nanLayer, org.recycledattention.model.tokenizer.Tokenizer tokenizer) {
    Random rnd = new Random(seed);
    int d = config.dim();
    int q = config.heads() * config.headDim();
    int kv = config.kvHeads() * config.headDim();
    List<LayerWeights> layers = new ArrayList<>();
    for (int l = 0; l < config.layers(); l++) {
      ArrayTensor down = matrix("down" + l, d, config.ffnDim(), rnd);
      if (l == nanLayer) {
        float[] w = down.toArray();
        w[3] = Float.NaN;
        down = new ArrayTensor("down" + l, w, d, config.ffnDim());
      }
      layers.add(new LayerWeights(ones("attn_norm" + l, d), matrix("wq" + l, q, d, rnd), matrix("wk" + l, kv, d, rnd), matrix("wv" + l, kv, d, rnd),
          config.qkvBias() ? vector("bq" + l, q, rnd) : null, config.qkvBias() ? vector("bk" + l, kv, rnd) : null,
          config.qkvBias() ? vector("bv" + l, kv, rnd) : null, matrix("wo" + l, d, q, rnd), ones("ffn_norm" + l, d),
          matrix("gate" + l, config.ffnDim(), d, rnd), down, matrix("up" + l, config.ffnDim(), d, rnd)));
    }
    ArrayTensor embedding = matrix("embedding", config.vocabSize(), d, rnd);
    ArrayTensor output = config.tiedOutput() ? embedding : matrix("output", config.vocabSize(), d, rnd);
    Weights w = new Weights(embedding, layers, ones("output_norm", d), output);
    LoadedWeights loaded = new LoadedWeights(ModelFormat.GGUF, Path.of("synthetic-" + seed), config, w, Map.of(), "synthetic", () -> {});
    return new LlamaModel(loaded, tokenizer);
  }

  private static ArrayTensor matrix(String name, int rows, int cols, Random rnd) {
    float[] a = new float[rows * cols];
    double scale = 1.0 / Math.sqrt(cols);
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (rnd.nextGaussian() * scale);
    }
    return new ArrayTensor(name, a, rows, cols);
  }

  private static ArrayTensor vector(String name, int n, Random rnd) {
    return matrix(name, 1, n, rnd);
  }

  private static ArrayTensor ones(String name, int n) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, 1f);
    return ArrayTensor.vector(name, a);
  }
}
