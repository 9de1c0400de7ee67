package org.recycledattention.api.model;

/**
 * The attention geometry of a model: what a policy needs to size its state.
 *
 * @param layers transformer layers, at least 1
 * @param queryHeads query heads per layer
 * @param kvHeads key/value heads per layer; {@code queryHeads % kvHeads == 0}. Query head
 *     {@code h} reads KV head {@code h / (queryHeads / kvHeads)}.
 * @param headDim elements per head vector
 * @param contextLength the longest sequence (prompt plus generated tokens) the model supports
 */
public record ModelShape(int layers, int queryHeads, int kvHeads, int headDim, int contextLength) {
  public ModelShape {
    if (layers < 1 || queryHeads < 1 || kvHeads < 1 || headDim < 1 || contextLength < 1) {
      throw new IllegalArgumentException("every dimension of a model shape must be >= 1: " + this0(layers, queryHeads, kvHeads, headDim, contextLength));
    }
    if (queryHeads % kvHeads != 0) {
      throw new IllegalArgumentException("queryHeads (" + queryHeads + ") must be a multiple of kvHeads (" + kvHeads + ")");
    }
  }

  private static String this0(int l, int q, int kv, int d, int c) {
    return "layers=" + l + " queryHeads=" + q + " kvHeads=" + kv + " headDim=" + d + " context=" + c;
  }

  /** Query heads that share one KV head. */
  public int groupSize() {
    return queryHeads / kvHeads;
  }
}
