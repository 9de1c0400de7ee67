package org.recycledattention.api.cache;

/**
 * The geometry of one cache.
 *
 * @param layers layers, at least 1
 * @param queryHeads query heads per layer (a multiple of {@code kvHeads})
 * @param kvHeads key/value heads per layer
 * @param headDim elements per head vector
 * @param maxTokens the most entries the main store may hold; appending more throws {@link
 *     IllegalStateException}. Backends grow their storage with use (amortised), up to this.
 */
public record CacheSpec(int layers, int queryHeads, int kvHeads, int headDim, int maxTokens) {
  public CacheSpec {
    if (layers < 1 || queryHeads < 1 || kvHeads < 1 || headDim < 1 || maxTokens < 1) {
      throw new IllegalArgumentException("every dimension of a cache spec must be >= 1: layers=" + layers
          + " queryHeads=" + queryHeads + " kvHeads=" + kvHeads + " headDim=" + headDim + " maxTokens=" + maxTokens);
    }
    if (queryHeads % kvHeads != 0) {
      throw new IllegalArgumentException("queryHeads (" + queryHeads + ") must be a multiple of kvHeads (" + kvHeads + ")");
    }
  }

  public int groupSize() {
    return queryHeads / kvHeads;
  }

  public static CacheSpec of(org.recycledattention.api.model.ModelShape shape, int maxTokens) {
    return new CacheSpec(shape.layers(), shape.queryHeads(), shape.kvHeads(), shape.headDim(), maxTokens);
  }
}
