package org.recycledattention.tests;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
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
import org.recycledattention.api.cache.support.ForwardingWorkingSet;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.plan.ScoreRequest;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.provider.ProviderInfo;

/**
 * A backend for the kit's own tests: the kit's {@link ReferenceBackend} with chosen capabilities and,
 * optionally, one deliberate flaw added around it. Without a flaw it is a correct (slow) backend, the
 * positive control of the backend suite; with one, the suite must catch it.
 */
final class ModelBackend extends AbstractBackendProvider {
  /** A deliberate defect. */
  enum Flaw {
    NONE,
    /** MAX-reduced scores are computed as MEAN. */
    MEAN_FOR_MAX,
    /** Outputs are off by 1e-3. */
    NOISY_OUTPUT,
    /** evict/retain work although EVICTION is not declared. */
    SILENT_UNSUPPORTED,
    /** residentBytes ignore evictions. */
    EVICT_KEEPS_BYTES,
    /** A closed cache keeps working. */
    NO_CLOSE_CHECK,
    /** The backend keeps every cache it allocated, closed or not. */
    LEAKS_CLOSED_CACHES
  }

  private final Flaw flaw;
  private final ReferenceBackend reference;

  ModelBackend(Set<BackendCapability> capabilities, Flaw flaw) {
    super(new ProviderInfo("kit-model", "the kit's reference backend with a chosen flaw (tests only)"), capabilities);
    this.flaw = flaw;
    Set<BackendCapability> works = capabilities.isEmpty() ? EnumSet.noneOf(BackendCapability.class) : EnumSet.copyOf(capabilities);
    if (flaw == Flaw.SILENT_UNSUPPORTED) {
      works.add(BackendCapability.EVICTION); // works, but is not declared
    }
    this.reference = new ReferenceBackend(works);
  }

  static ModelBackend complete() {
    return new ModelBackend(EnumSet.allOf(BackendCapability.class), Flaw.NONE);
  }

  @Override
  protected KvCacheBackend newBackend(ProviderConfig config) {
    KvCacheBackend inner = Providers.create(reference, Map.of());
    List<KvCache> allocated = new ArrayList<>();
    return new AbstractKvCacheBackend(name(), capabilities(), inner.storageDtype()) {
      @Override
      protected KvCache newCache(CacheSpec spec) {
        KvCache c = flaw == Flaw.NONE ? inner.allocate(spec) : new FlawedCache(inner.allocate(spec));
        if (flaw == Flaw.LEAKS_CLOSED_CACHES) {
          allocated.add(c);
        }
        return c;
      }

      @Override
      protected void release() {
        inner.close();
      }
    };
  }

  /** The reference cache with {@link #flaw} added. */
  private final class FlawedCache implements KvCache {
    private final KvCache cache;
    private final List<WorkingSet> views = new ArrayList<>();
    private long evictedEntries;

    FlawedCache(KvCache cache) {
      this.cache = cache;
      for (int l = 0; l < cache.spec().layers(); l++) {
        views.add(new CountingEvictions(cache.workingSet(l)));
      }
    }

    @Override
    public CacheSpec spec() {
      return cache.spec();
    }

    @Override
    public KvDtype storageDtype() {
      return cache.storageDtype();
    }

    @Override
    public void append(int layer, float[] k, float[] v, int[] positions, int tokens) {
      cache.append(layer, k, v, positions, tokens);
    }

    @Override
    public AttentionResult attend(int layer, float[] q, int queries, StepPlan plan, float[] out) {
      StepPlan computed = plan;
      if (flaw == Flaw.MEAN_FOR_MAX && plan.scores().reduction() == GroupReduction.MAX) {
        ScoreRequest mean = new ScoreRequest(plan.scores().mode(), GroupReduction.MEAN);
        computed = plan instanceof StepPlan.Full ? new StepPlan.Full(mean) : new StepPlan.Partial(mean);
      }
      AttentionResult r = cache.attend(layer, q, queries, computed, out);
      if (flaw == Flaw.NOISY_OUTPUT) {
        long n = (long) queries * spec().queryHeads() * spec().headDim();
        for (int i = 0; i < n; i++) {
          out[i] += 1e-3f;
        }
      }
      return r;
    }

    @Override
    public WorkingSet workingSet(int layer) {
      cache.workingSet(layer); // its checks
      return views.get(layer);
    }

    @Override
    public CacheStats stats() {
      CacheStats s = cache.stats();
      if (flaw != Flaw.EVICT_KEEPS_BYTES) {
        return s;
      }
      long kept = evictedEntries * spec().kvHeads() * spec().headDim() * 2L * storageDtype().bytes();
      return new CacheStats(s.residentBytes() + kept, Math.max(s.peakResidentBytes(), s.residentBytes() + kept), s.bytesRead(),
          s.tokensAttended(), s.attendCalls());
    }

    @Override
    public void close() {
      if (flaw != Flaw.NO_CLOSE_CHECK) {
        cache.close();
      }
    }

    /** Counts evicted entries (for {@link Flaw#EVICT_KEEPS_BYTES}). */
    private final class CountingEvictions extends ForwardingWorkingSet {
      CountingEvictions(WorkingSet delegate) {
        super(delegate);
      }

      @Override
      public void evict(int[] slotPerHead) {
        super.evict(slotPerHead);
        evictedEntries++;
      }

      @Override
      public void retain(Selection selection) {
        int before = length();
        super.retain(selection);
        evictedEntries += before - selection.size();
      }
    }
  }
}
