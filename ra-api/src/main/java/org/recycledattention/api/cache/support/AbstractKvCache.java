package org.recycledattention.api.cache.support;

import static java.util.Objects.requireNonNull;

import java.util.EnumSet;
import java.util.Set;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.CacheStats;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.plan.StepPlan;

/**
 * A {@link KvCache} less its data movement. The final methods check every argument as the contract
 * says, refuse operations after {@link #close()} and without the capability they need, and keep the
 * statistics ({@link CacheStats}: resident entries and their peak, bytes read, tokens attended, calls);
 * a backend implements {@link #store}, {@link #compute} and {@link #free}, and one {@link
 * AbstractWorkingSet} per layer.
 *
 * <p>Bytes are counted per entry: {@code kvHeads × headDim × 2 × storage bytes}, so that bytes read are
 * always {@code tokensAttended ×} that, as {@link CacheStats} defines.
 *
 * <p><b>NOTE:</b> not thread-safe, like every cache.
 *
 * @param <L> the backend's layer type
 */
public abstract class AbstractKvCache<L extends AbstractWorkingSet> implements KvCache {
  private final String backend;
  private final Set<BackendCapability> capabilities;
  private final CacheSpec spec;
  private final KvDtype dtype;
  private final long bytesPerEntry;

  private long residentEntries;
  private long peakResidentEntries;
  private long bytesRead;
  private long tokensAttended;
  private long attendCalls;
  private boolean closed;

  /**
   * @param backend the backend's name, for messages
   * @param capabilities what the backend declares; operations that need another capability throw
   *     {@link BackendCapability#unsupported}
   */
  protected AbstractKvCache(String backend, Set<BackendCapability> capabilities, CacheSpec spec, KvDtype dtype) {
    this.backend = requireNonNull(backend, "backend is null");
    this.capabilities = capabilities.isEmpty() ? EnumSet.noneOf(BackendCapability.class) : EnumSet.copyOf(capabilities);
    this.spec = requireNonNull(spec, "spec is null");
    this.dtype = requireNonNull(dtype, "dtype is null");
    this.bytesPerEntry = (long) spec.kvHeads() * spec.headDim() * 2 * dtype.bytes();
  }

  /** The store of {@code layer}, already range-checked. */
  protected abstract L layerAt(int layer);

  /**
   * Stores {@code tokens >= 1} new entries at the end of {@code layer}'s main store; the arguments are
   * checked and there is room for them.
   */
  protected abstract void store(L layer, float[] k, float[] v, int[] positions, int tokens);

  /**
   * Computes attention as {@code plan} says (checked: a Partial plan has one query and a partial cache
   * to read; a Full plan has at least {@code queries} entries) and writes it to {@code out}.
   *
   * @return the result; its {@code attendedTokens} are counted in the statistics
   */
  protected abstract AttentionResult compute(L layer, float[] q, int queries, StepPlan plan, float[] out);

  /** Releases every byte of storage; called once, by {@link #close()}. */
  protected abstract void free();

  @Override
  public final CacheSpec spec() {
    return spec;
  }

  @Override
  public final KvDtype storageDtype() {
    return dtype;
  }

  @Override
  public final void append(int layer, float[] k, float[] v, int[] positions, int tokens) {
    checkOpen();
    L store = layer(layer);
    spec.checkAppend(k, v, positions, tokens);
    int length = store.mainLength();
    if ((long) length + tokens > spec.maxTokens()) {
      throw new IllegalStateException("layer " + layer + " holds " + length + " entries; appending " + tokens + " would exceed the cache's"
          + " maxTokens of " + spec.maxTokens() + "; allocate the cache with a larger maxTokens");
    }
    if (tokens > 0) {
      store(store, k, v, positions, tokens);
      residentChanged(tokens);
    }
  }

  @Override
  public final AttentionResult attend(int layer, float[] q, int queries, StepPlan plan, float[] out) {
    checkOpen();
    requireNonNull(q, "q is null");
    requireNonNull(plan, "plan is null");
    requireNonNull(out, "out is null");
    L store = layer(layer);
    if (queries < 1) {
      throw new IllegalArgumentException("queries must be >= 1, got " + queries);
    }
    long need = (long) queries * spec.queryHeads() * spec.headDim();
    if (q.length < need || out.length < need) {
      throw new IllegalArgumentException("q and out must hold queries × queryHeads × headDim = " + queries + " × " + spec.queryHeads() + " × "
          + spec.headDim() + " = " + need + " floats; got q=" + q.length + " out=" + out.length);
    }
    if (queries > 1) {
      require(BackendCapability.MULTI_QUERY, "attend with " + queries + " queries");
    }
    if (plan.scores().wanted()) {
      require(BackendCapability.SCORES, "attend with scores");
    }
    int length = store.mainLength();
    if (plan instanceof StepPlan.Partial) {
      require(BackendCapability.PARTIAL_CACHE, "attend with StepPlan.Partial");
      if (queries != 1) {
        throw new IllegalArgumentException("a Partial plan takes one query, got " + queries + "; use a Full plan for prefill chunks");
      }
      if (!store.hasPartialCache()) {
        throw new IllegalStateException("layer " + layer + " has no partial cache; call gatherPartial before a Partial plan");
      }
      if (length == 0) {
        throw new IllegalStateException("layer " + layer + " main store is empty; append the current token before attending");
      }
    } else if (length < queries) {
      throw new IllegalStateException("layer " + layer + " main store holds " + length + " entries but the step has " + queries
          + " queries; append the step's keys and values before attending");
    }
    AttentionResult result = compute(store, q, queries, plan, out);
    attendCalls++;
    tokensAttended += result.attendedTokens();
    bytesRead += result.attendedTokens() * bytesPerEntry;
    return result;
  }

  @Override
  public final WorkingSet workingSet(int layer) {
    checkOpen();
    return layer(layer);
  }

  @Override
  public final CacheStats stats() {
    checkOpen();
    return new CacheStats(residentEntries * bytesPerEntry, peakResidentEntries * bytesPerEntry, bytesRead, tokensAttended, attendCalls);
  }

  @Override
  public final void close() {
    if (!closed) {
      closed = true;
      try {
        free();
      } finally {
        residentEntries = 0;
      }
    }
  }

  /** The name of the backend, for messages. */
  protected final String backend() {
    return backend;
  }

  /** Whether {@link #close()} has run. */
  protected final boolean isClosed() {
    return closed;
  }

  /** @throws IllegalStateException after {@link #close()} */
  protected final void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this " + backend + " KV cache is closed; allocate a new one");
    }
  }

  /** @throws UnsupportedOperationException naming {@code capability} when the backend did not declare it */
  protected final void require(BackendCapability capability, String operation) {
    if (!capabilities.contains(capability)) {
      throw capability.unsupported(backend, operation);
    }
  }

  /** The store of {@code layer}. @throws IllegalArgumentException when it is out of range */
  protected final L layer(int layer) {
    if (layer < 0 || layer >= spec.layers()) {
      throw new IllegalArgumentException("layer " + layer + " out of range [0, " + spec.layers() + ")");
    }
    return layerAt(layer);
  }

  /** Entries (per KV head, every head of one layer) were added ({@code entries > 0}) or freed. */
  final void residentChanged(long entries) {
    residentEntries += entries;
    peakResidentEntries = Math.max(peakResidentEntries, residentEntries);
  }
}
