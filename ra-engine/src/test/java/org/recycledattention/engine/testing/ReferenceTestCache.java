package org.recycledattention.engine.testing;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.CacheStats;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.plan.StepPlan;

/**
 * A test-only KV cache: plain f32 arrays, full (causal) attention only, computed in double. The
 * engine's tests use it as an independent reference next to the real {@code cpu} backend.
 */
public final class ReferenceTestCache implements KvCache {
  /** A backend allocating {@link ReferenceTestCache}s, with or without multi-query attention. */
  public static KvCacheBackend backend(boolean multiQuery) {
    return new KvCacheBackend() {
      @Override
      public String name() {
        return "reference-test";
      }

      @Override
      public Set<BackendCapability> capabilities() {
        return multiQuery ? EnumSet.of(BackendCapability.MULTI_QUERY) : EnumSet.noneOf(BackendCapability.class);
      }

      @Override
      public KvDtype storageDtype() {
        return KvDtype.F32;
      }

      @Override
      public KvCache allocate(CacheSpec spec) {
        return new ReferenceTestCache(spec);
      }

      @Override
      public void close() {}
    };
  }

  private final CacheSpec spec;
  private final float[][] keys;
  private final float[][] values;
  private final int[] lengths;
  private long bytesRead;
  private long tokensAttended;
  private long calls;
  private boolean closed;

  ReferenceTestCache(CacheSpec spec) {
    this.spec = spec;
    this.keys = new float[spec.layers()][0];
    this.values = new float[spec.layers()][0];
    this.lengths = new int[spec.layers()];
  }

  @Override
  public CacheSpec spec() {
    return spec;
  }

  @Override
  public KvDtype storageDtype() {
    return KvDtype.F32;
  }

  private int kvDim() {
    return spec.kvHeads() * spec.headDim();
  }

  @Override
  public void append(int layer, float[] k, float[] v, int[] positions, int tokens) {
    check();
    int n = lengths[layer] + tokens;
    if (n > spec.maxTokens()) {
      throw new IllegalStateException("cache full: " + n + " > " + spec.maxTokens());
    }
    if (keys[layer].length < n * kvDim()) {
      keys[layer] = Arrays.copyOf(keys[layer], Math.max(n, lengths[layer] * 2) * kvDim());
      values[layer] = Arrays.copyOf(values[layer], Math.max(n, lengths[layer] * 2) * kvDim());
    }
    System.arraycopy(k, 0, keys[layer], lengths[layer] * kvDim(), tokens * kvDim());
    System.arraycopy(v, 0, values[layer], lengths[layer] * kvDim(), tokens * kvDim());
    lengths[layer] = n;
  }

  @Override
  public AttentionResult attend(int layer, float[] q, int queries, StepPlan plan, float[] out) {
    check();
    if (!(plan instanceof StepPlan.Full) || plan.scores().wanted()) {
      throw new UnsupportedOperationException("the reference test cache attends Full plans without scores only");
    }
    int hd = spec.headDim();
    int len = lengths[layer];
    int group = spec.groupSize();
    double scale = 1.0 / Math.sqrt(hd);
    double[] w = new double[len];
    for (int i = 0; i < queries; i++) {
      int visible = len - queries + i + 1;
      for (int h = 0; h < spec.queryHeads(); h++) {
        int kvh = h / group;
        int qOff = (i * spec.queryHeads() + h) * hd;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < visible; j++) {
          double s = 0;
          for (int d = 0; d < hd; d++) {
            s += q[qOff + d] * keys[layer][j * kvDim() + kvh * hd + d];
          }
          w[j] = s * scale;
          max = Math.max(max, w[j]);
        }
        double sum = 0;
        for (int j = 0; j < visible; j++) {
          w[j] = Math.exp(w[j] - max);
          sum += w[j];
        }
        for (int d = 0; d < hd; d++) {
          double acc = 0;
          for (int j = 0; j < visible; j++) {
            acc += w[j] * values[layer][j * kvDim() + kvh * hd + d];
          }
          out[qOff + d] = (float) (acc / sum);
        }
      }
    }
    calls++;
    tokensAttended += len;
    bytesRead += 2L * len * kvDim() * 4;
    return new AttentionResult(len, null);
  }

  @Override
  public WorkingSet workingSet(int layer) {
    return new WorkingSet() {
      @Override
      public int layer() {
        return layer;
      }

      @Override
      public int kvHeads() {
        return spec.kvHeads();
      }

      @Override
      public int length() {
        return lengths[layer];
      }

      @Override
      public int partialLength() {
        return 0;
      }

      @Override
      public int position(int kvHead, int slot) {
        return slot;
      }

      @Override
      public int partialPosition(int kvHead, int slot) {
        throw new IndexOutOfBoundsException("no partial cache");
      }

      @Override
      public void evict(int[] slotPerHead) {
        throw BackendCapability.EVICTION.unsupported("reference-test", "evict");
      }

      @Override
      public void retain(Selection selection) {
        throw BackendCapability.EVICTION.unsupported("reference-test", "retain");
      }

      @Override
      public void gatherPartial(Selection selection) {
        throw BackendCapability.PARTIAL_CACHE.unsupported("reference-test", "gatherPartial");
      }

      @Override
      public void appendToPartial(int[] replaceSlotPerHead) {
        throw BackendCapability.PARTIAL_CACHE.unsupported("reference-test", "appendToPartial");
      }

      @Override
      public void clearPartial() {}
    };
  }

  @Override
  public CacheStats stats() {
    long resident = 0;
    for (int l : lengths) {
      resident += 2L * l * kvDim() * 4;
    }
    return new CacheStats(resident, resident, bytesRead, tokensAttended, calls);
  }

  private void check() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
