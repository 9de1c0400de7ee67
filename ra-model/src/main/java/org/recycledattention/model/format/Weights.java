package org.recycledattention.model.format;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.tensor.FloatTensor;

/**
 * Every weight of a Llama-family model, as every format loader fills it. Tensors are normally
 * memory-mapped views of the model file; the object that owns the mapping ({@link LoadedWeights})
 * keeps them valid.
 *
 * @param tokenEmbedding {@code token_embd} / {@code token_embedding_table} / {@code embed_tokens}:
 *     {@code vocab × dim}
 * @param layers one entry per transformer block, in order
 * @param outputNorm {@code output_norm} / {@code rms_final_weight} / {@code norm}: {@code dim}
 * @param output the classifier {@code output} / {@code wcls} / {@code lm_head}: {@code vocab ×
 *     dim}; the same object as {@code tokenEmbedding} when the model ties them
 */
public record Weights(FloatTensor tokenEmbedding, List<LayerWeights> layers, FloatTensor outputNorm, FloatTensor output) {
  public Weights {
    requireNonNull(tokenEmbedding, "tokenEmbedding is null");
    requireNonNull(outputNorm, "outputNorm is null");
    requireNonNull(output, "output is null");
    layers = List.copyOf(requireNonNull(layers, "layers is null"));
  }

  /**
   * Checks every tensor's shape against {@code config}.
   *
   * @throws ModelFormatException naming the first tensor whose shape is wrong
   */
  public void checkShapes(ModelConfig config, Path source) {
    int q = config.heads() * config.headDim();
    int kv = config.kvHeads() * config.headDim();
    check(source, tokenEmbedding, config.vocabSize(), config.dim());
    check(source, output, config.vocabSize(), config.dim());
    checkVector(source, outputNorm, config.dim());
    if (layers.size() != config.layers()) {
      throw new ModelFormatException(source, -1, "the model has " + layers.size() + " layers of weights but its config says " + config.layers());
    }
    for (LayerWeights l : layers) {
      checkVector(source, l.attnNorm(), config.dim());
      check(source, l.wq(), q, config.dim());
      check(source, l.wk(), kv, config.dim());
      check(source, l.wv(), kv, config.dim());
      if (l.hasQkvBias()) {
        checkVector(source, l.bq(), q);
        checkVector(source, l.bk(), kv);
        checkVector(source, l.bv(), kv);
      }
      check(source, l.wo(), config.dim(), q);
      checkVector(source, l.ffnNorm(), config.dim());
      check(source, l.gate(), config.ffnDim(), config.dim());
      check(source, l.down(), config.dim(), config.ffnDim());
      check(source, l.up(), config.ffnDim(), config.dim());
    }
  }

  private static void check(Path source, FloatTensor t, int rows, int cols) {
    if (t.rows() != rows || t.cols() != cols) {
      throw new ModelFormatException(source, -1, "tensor '" + t.name() + "' has shape " + t.rows() + " x " + t.cols()
          + " but the model's config needs " + rows + " x " + cols);
    }
  }

  private static void checkVector(Path source, FloatTensor t, int n) {
    if (t.size() != n) {
      throw new ModelFormatException(source, -1, "tensor '" + t.name() + "' has " + t.size() + " elements but the model's config needs " + n);
    }
  }
}
