package org.recycledattention.tests;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
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
import org.recycledattention.api.cache.support.AbstractBackendProvider;
import org.recycledattention.api.cache.support.AbstractKvCacheBackend;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.provider.ProviderInfo;
import org.recycledattention.api.plan.StepPlan;

/**
 * {@link ReferenceAttention} behind the SPI: a correct, slow backend with the capabilities it is
 * given (all by default), f32 storage, bytes counted as f64. The policy suite runs policies over it
 * by default, so that a policy's tests depend on no real backend.
 *
 * <p>Not discovered by {@link java.util.ServiceLoader}: tests create it.
 */
public final class ReferenceBackend extends AbstractBackendProvider {
  /** With every capability. */
  public ReferenceBackend() {
    this(EnumSet.allOf(BackendCapability.class));
  }

  /** With these capabilities only: operations that need another one throw as the contract says. */
  public ReferenceBackend(Set<BackendCapability> capabilities) {
    super(new ProviderInfo("reference", "the conformance kit's reference attention behind the SPI (tests only)"), capabilities);
  }

  @Override
  protected KvCacheBackend newBackend(ProviderConfig config) {
    return new AbstractKvCacheBackend(name(), capabilities(), KvDtype.F32) {
      @Override
      protected KvCache newCache(CacheSpec spec) {
        return new Cache(spec);
      }

      @Override
      protected void release() {}
    };
  }

  private final class Cache implements KvCache {
    private final CacheSpec spec;
    private final ReferenceAttention model;
    private final List<WorkingSet> views = new ArrayList<>();
    private boolean closed;
    private long peak;
    private long bytesRead;
    private long tokensAttended;
    private long attendCalls;

    Cache(CacheSpec spec) {
      this.spec = spec;
      this.model = new ReferenceAttention(spec);
      for (int l = 0; l < spec.layers(); l++) {
        views.add(new View(l));
      }
    }

    private void open() {
      if (closed) {
        throw new IllegalStateException("cache is closed");
      }
    }

    private void need(BackendCapability c, String operation) {
      if (!capabilities().contains(c)) {
        throw c.unsupported(name(), operation);
      }
    }

    private long resident() {
      return model.residentBytes(KvDtype.F32);
    }

    @Override
    public CacheSpec spec() {
      return spec;
    }

    @Override
    public KvDtype storageDtype() {
      return KvDtype.F32;
    }

    @Override
    public void append(int layer, float[] k, float[] v, int[] positions, int tokens) {
      open();
      int width = tokens * spec.kvHeads() * spec.headDim();
      if (k.length < width || v.length < width || positions.length < tokens) {
        throw new IllegalArgumentException("arrays shorter than " + tokens + " tokens");
      }
      if (model.length(layer) + tokens > spec.maxTokens()) {
        throw new IllegalStateException("maxTokens " + spec.maxTokens() + " exceeded");
      }
      model.append(layer, k, v, positions, tokens);
      peak = Math.max(peak, resident());
    }

    @Override
    public AttentionResult attend(int layer, float[] q, int queries, StepPlan plan, float[] out) {
      open();
      if (queries > 1) {
        need(BackendCapability.MULTI_QUERY, "attend with " + queries + " queries");
      }
      if (plan instanceof StepPlan.Partial) {
        need(BackendCapability.PARTIAL_CACHE, "attend with StepPlan.Partial");
      }
      if (plan.scores().wanted()) {
        need(BackendCapability.SCORES, "attend with scores");
      }
      ReferenceAttention.Result r = model.attend(layer, q, queries, plan);
      for (int i = 0; i < r.output().length; i++) {
        out[i] = (float) r.output()[i];
      }
      attendCalls++;
      tokensAttended += r.attended();
      bytesRead += (long) r.attended() * spec.kvHeads() * spec.headDim() * 8;
      if (r.scores() == null) {
        return new AttentionResult(r.attended(), null);
      }
      float[][] rows = new float[r.scores().length][r.attended()];
      for (int h = 0; h < rows.length; h++) {
        for (int j = 0; j < rows[h].length; j++) {
          rows[h][j] = (float) r.scores()[h][j];
        }
      }
      return new AttentionResult(r.attended(), ArrayScores.of(rows));
    }

    @Override
    public WorkingSet workingSet(int layer) {
      open();
      return views.get(layer);
    }

    @Override
    public CacheStats stats() {
      open();
      return new CacheStats(resident(), peak, bytesRead, tokensAttended, attendCalls);
    }

    @Override
    public void close() {
      closed = true;
    }

    private final class View implements WorkingSet {
      private final int layer;

      View(int layer) {
        this.layer = layer;
      }

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
        return model.length(layer);
      }

      @Override
      public int partialLength() {
        return model.partialLength(layer);
      }

      @Override
      public int position(int kvHead, int slot) {
        return model.position(layer, kvHead, slot);
      }

      @Override
      public int partialPosition(int kvHead, int slot) {
        return model.partialPosition(layer, kvHead, slot);
      }

      @Override
      public void evict(int[] slotPerHead) {
        need(BackendCapability.EVICTION, "evict");
        model.evict(layer, slotPerHead);
      }

      @Override
      public void retain(Selection selection) {
        need(BackendCapability.EVICTION, "retain");
        model.retain(layer, selection);
      }

      @Override
      public void gatherPartial(Selection selection) {
        need(BackendCapability.PARTIAL_CACHE, "gatherPartial");
        model.gatherPartial(layer, selection);
        peak = Math.max(peak, resident());
      }

      @Override
      public void appendToPartial(int[] replaceSlotPerHead) {
        need(BackendCapability.PARTIAL_CACHE, "appendToPartial");
        model.appendToPartial(layer, replaceSlotPerHead);
        peak = Math.max(peak, resident());
      }

      @Override
      public void clearPartial() {
        model.clearPartial(layer);
      }
    }
  }
}
