package org.recycledattention.api.cache;

import java.util.Objects;
import org.recycledattention.api.model.ModelShape;

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

  /**
   * Checks the arguments of {@link KvCache#append} against this geometry: the shared part of every
   * backend's validation, so that bad calls fail alike on every backend.
   *
   * @throws NullPointerException for a null array
   * @throws IllegalArgumentException for negative {@code tokens} or arrays shorter than the shape says
   */
  public void checkAppend(float[] k, float[] v, int[] positions, int tokens) {
    Objects.requireNonNull(k, "k is null");
    Objects.requireNonNull(v, "v is null");
    Objects.requireNonNull(positions, "positions is null");
    if (tokens < 0) {
      throw new IllegalArgumentException("tokens must be >= 0, got " + tokens);
    }
    long need = (long) tokens * kvHeads * headDim;
    if (k.length < need || v.length < need) {
      throw new IllegalArgumentException("k and v must hold tokens × kvHeads × headDim = " + tokens + " × " + kvHeads
          + " × " + headDim + " = " + need + " floats; got k=" + k.length + " v=" + v.length);
    }
    if (positions.length < tokens) {
      throw new IllegalArgumentException("positions holds " + positions.length + " values; expected at least tokens = " + tokens);
    }
  }

  public int groupSize() {
    return queryHeads / kvHeads;
  }

  public static CacheSpec of(ModelShape shape, int maxTokens) {
    return new CacheSpec(shape.layers(), shape.queryHeads(), shape.kvHeads(), shape.headDim(), maxTokens);
  }
}
