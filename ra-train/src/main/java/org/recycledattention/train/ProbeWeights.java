package org.recycledattention.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trained weights on the heap, by GGUF tensor name ({@code token_embd.weight}, {@code
 * blk.0.attn_q.weight}, ...), each row-major {@code rows × cols} with rows = output features.
 *
 * @param geometry the shape
 * @param vocabulary the tokenizer's pieces
 * @param tensors name to (rows, cols, data)
 */
public record ProbeWeights(ProbeGeometry geometry, ProbeVocabulary vocabulary, Map<String, Tensor> tensors) {
  /** One weight matrix (a vector is one row). */
  public record Tensor(int rows, int cols, float[] data) {
    public Tensor {
      if ((long) rows * cols != data.length) {
        throw new IllegalArgumentException(rows + " x " + cols + " does not match " + data.length + " values");
      }
    }
  }

  public ProbeWeights {
    tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
  }
}
