package org.recycledattention.backend.cpu;

import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KernelThreads;
import org.recycledattention.api.cache.support.AbstractKvCache;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.plan.ScoreMode;
import org.recycledattention.api.plan.ScoreRequest;
import org.recycledattention.api.plan.StepPlan;

/**
 * The cpu backend's cache: heap arrays per (layer, KV head), attention by {@link Rows}' kernels.
 *
 * <h2>Work split</h2>
 * An attention call is cut into <em>units</em>: one KV head with the whole group of query heads
 * that read it, for one query (or, for {@link ScoreMode#SUM}, for all queries in order, so that the
 * sums keep their order). A unit reads each key and value row once for the whole group. Units are
 * claimed from a counter by the calling thread and up to {@code threads - 1} other threads: the
 * caller's kernel threads when it lends them ({@link #shareThreads}; no hand-off to a pool, whose
 * wake-up on a 2-core VM cost as much as the second thread saved at 1K tokens), else the backend's
 * pool workers. A unit is never split, and its arithmetic does not depend on which thread runs it, so results are
 * identical for every thread count. Calls with little work run on the calling thread alone.
 *
 * <p>Argument checks, the closed state and the statistics are {@link AbstractKvCache}'s. Not
 * thread-safe (one thread per cache); the backend's pool is shared by all of its caches.
 */
final class CpuKvCache extends AbstractKvCache<LayerStore> {
  /** Multiply-adds below which one more thread costs more than it saves. */
  static final long MIN_WORK_PER_THREAD = 1L << 15;

  private final CpuBackend backend;
  private final CacheSpec spec;
  private final LayerStore[] layers;
  private final float scale;

  // per-thread kernel scratch and the reusable pool tasks (index 0 is the calling thread)
  private final Rows.Scratch[] scratch;
  private final Worker[] workers;
  private final AtomicInteger nextUnit = new AtomicInteger();
  private final IntConsumer unitRunner = this::runUnits;
  // the caller's kernel threads, when lent: used instead of the backend's pool
  private KernelThreads shared;

  // the call in progress (set by attend, read by the units)
  private LayerStore cur;
  private float[] curQ;
  private float[] curOut;
  private int curQueries;
  private boolean curPartial;
  private ScoreMode curMode;
  private GroupReduction curReduction;
  private CpuScores curScores;
  private int curUnits;
  private int curSubgroups;
  private int curSubgroupSize;
  private boolean curStage;

  CpuKvCache(CpuBackend backend, CacheSpec spec) {
    super(backend.name(), backend.capabilities(), spec, backend.storageDtype());
    this.backend = backend;
    this.spec = spec;
    this.layers = new LayerStore[spec.layers()];
    for (int l = 0; l < layers.length; l++) {
      layers[l] = new LayerStore(this, l, spec.kvHeads(), spec.headDim(), spec.maxTokens(), backend.storageDtype());
    }
    this.scale = (float) (1.0 / Math.sqrt(spec.headDim()));
    int threads = backend.threads();
    this.scratch = new Rows.Scratch[threads];
    for (int t = 0; t < threads; t++) {
      scratch[t] = new Rows.Scratch(spec.headDim());
    }
    this.workers = new Worker[threads - 1];
    for (int t = 1; t < threads; t++) {
      workers[t - 1] = new Worker(this, t);
    }
  }

  @Override
  protected LayerStore layerAt(int layer) {
    return layers[layer];
  }

  @Override
  protected void store(LayerStore layer, float[] k, float[] v, int[] positions, int tokens) {
    layer.store(k, v, positions, tokens);
  }

  @Override
  protected AttentionResult compute(LayerStore store, float[] q, int queries, StepPlan plan, float[] out) {
    backend.checkOpen();
    int qh = spec.queryHeads();
    int d = spec.headDim();
    int length = store.main[0].length;
    boolean partial = plan instanceof StepPlan.Partial;
    int attended;
    long pairs; // (query, entry) pairs attended per KV head
    if (partial) {
      attended = store.partial[0].length + 1;
      pairs = attended;
    } else {
      attended = length;
      pairs = (long) queries * (length - queries) + (long) queries * (queries + 1) / 2;
    }
    ScoreRequest request = plan.scores();
    ScoreMode mode = request.mode();
    CpuScores scores = null;
    boolean stage = false;
    if (mode != ScoreMode.NONE) {
      scores = store.scores();
      scores.reset(attended, mode == ScoreMode.LAST_QUERY && queries == 1 && !partial);
      stage = scores.precomputing() && store.prepareStaging(scores);
    }
    int group = spec.groupSize();
    int kvHeads = spec.kvHeads();
    int units = mode == ScoreMode.SUM ? kvHeads : kvHeads * queries;
    long work = pairs * qh * d * 2;
    int available = shared == null ? workers.length + 1 : Math.min(workers.length + 1, shared.threads());
    int wanted = (int) Math.min(available, Math.max(1, work / MIN_WORK_PER_THREAD));
    // Too few KV heads for the threads and no scores to reduce over the group: split each group
    // into sub-groups of query heads. Each sub-group reads the head's K/V again, but every query
    // head's arithmetic is unchanged, so the result is too.
    int subgroupSize = group;
    if (mode == ScoreMode.NONE && units < wanted && group > 1) {
      subgroupSize = ceilDiv(group, Math.min(group, ceilDiv(wanted, units)));
    }
    int subgroups = ceilDiv(group, subgroupSize);
    units *= subgroups;
    int threads = Math.min(wanted, units);
    for (int t = 0; t < threads; t++) {
      scratch[t].ensureProbs(group * attended);
    }

    cur = store;
    curQ = q;
    curOut = out;
    curQueries = queries;
    curPartial = partial;
    curMode = mode;
    curReduction = request.reduction();
    curScores = scores;
    curUnits = units;
    curSubgroups = subgroups;
    curSubgroupSize = subgroupSize;
    curStage = stage;
    nextUnit.set(0);
    try {
      if (threads == 1) {
        runUnits(0);
      } else if (shared != null) {
        shared.forEach(threads, unitRunner);
      } else {
        dispatch(threads);
      }
      if (stage) {
        store.staged(scores);
      }
    } finally {
      cur = null;
      curQ = null;
      curOut = null;
      curScores = null;
    }
    return new AttentionResult(attended, scores);
  }

  /**
   * Takes the caller's threads when this cache would run attention on more than one thread: they
   * replace the backend's pool (the thread count stays the backend's at most).
   */
  @Override
  public boolean shareThreads(KernelThreads threads) {
    backend.checkOpen();
    if (threads.threads() < 2 || workers.length == 0) {
      return false;
    }
    shared = threads;
    return true;
  }

  /** The backend's worker pool, or null when it runs single-threaded. */
  ForkJoinPool pool() {
    return backend.pool();
  }

  private void dispatch(int threads) {
    ForkJoinPool pool = backend.pool();
    for (int t = 1; t < threads; t++) {
      Worker w = workers[t - 1];
      w.reinitialize();
      pool.execute(w);
    }
    Throwable failure = null;
    try {
      runUnits(0);
    } catch (RuntimeException | Error e) {
      nextUnit.set(curUnits); // the workers stop claiming
      failure = e;
    }
    for (int t = 1; t < threads; t++) {
      Worker w = workers[t - 1];
      w.quietlyJoin();
      Throwable e = w.getException();
      if (e != null) {
        if (failure == null) {
          failure = e;
        } else if (failure != e) {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure instanceof RuntimeException re) {
      throw re;
    } else if (failure instanceof Error err) {
      throw err;
    }
  }

  /** Claims and runs units until none is left. */
  void runUnits(int thread) {
    Rows.Scratch s = scratch[thread];
    int units = curUnits;
    int kvHeads = spec.kvHeads();
    int group = spec.groupSize();
    for (int u = nextUnit.getAndIncrement(); u < units; u = nextUnit.getAndIncrement()) {
      if (curMode == ScoreMode.SUM) {
        for (int i = 0; i < curQueries; i++) {
          attendUnit(u, i, 0, group, s);
        }
      } else {
        int sub = u % curSubgroups;
        int rest = u / curSubgroups;
        int from = sub * curSubgroupSize;
        attendUnit(rest % kvHeads, rest / kvHeads, from, Math.min(curSubgroupSize, group - from), s);
      }
    }
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  /**
   * Attention of query {@code i}'s query heads {@code gFrom .. gFrom + group} of KV head {@code h}'s
   * group; scores only for a whole group.
   */
  private void attendUnit(int h, int i, int gFrom, int group, Rows.Scratch s) {
    LayerStore store = cur;
    int d = spec.headDim();
    int qOff = (i * spec.queryHeads() + h * spec.groupSize() + gFrom) * d;
    Rows main = store.main[h];
    int length = main.length;
    Rows first;
    int firstCount;
    int secondFrom;
    int secondCount;
    if (curPartial) {
      first = store.partial[h];
      firstCount = first.length;
      secondFrom = length - 1;
      secondCount = 1;
    } else {
      first = main;
      firstCount = length - curQueries + i + 1;
      secondFrom = 0;
      secondCount = 0;
    }
    int n = firstCount + secondCount;
    float[] p = s.probs;

    // 1. raw scores, entries in order: first segment, then second
    first.score(0, firstCount, curQ, qOff, group, scale, p, n, 0, s);
    if (secondCount > 0) {
      main.score(secondFrom, secondCount, curQ, qOff, group, scale, p, n, firstCount, s);
    }
    // 2. softmax per query head, f32, max subtracted, summed in entry order
    for (int g = 0; g < group; g++) {
      VectorMath.softmax(p, g * n, n, s.lanes);
    }
    // 3. scores reduced over the group; for a full step that a policy selects from, the selection
    // and the keys of the next partial cache while this head's keys are still in cache
    int[] selected = null;
    if (curMode == ScoreMode.LAST_QUERY && i == curQueries - 1) {
      VectorMath.reduceGroup(p, n, group, curReduction, curScores.row(h), false);
      if (curScores.precomputing()) {
        selected = curScores.precompute(h, s.topK);
        if (curStage) {
          store.staging[h].gatherKeys(main, selected, selected.length);
        }
      }
    } else if (curMode == ScoreMode.SUM) {
      float[] row = curScores.row(h);
      if (i == 0) {
        Arrays.fill(row, 0, curScores.length(), 0f);
      }
      VectorMath.reduceGroup(p, n, group, curReduction, row, true);
    }
    // 4. weighted sum of values, same order
    // (and the values of the next partial cache, each block's selected rows while it is in cache)
    float[] out = curOut;
    Arrays.fill(out, qOff, qOff + group * d, 0f);
    if (curStage && selected != null) {
      Rows next = store.staging[h];
      first.accumulateAndGather(firstCount, p, n, group, out, qOff, s, next, selected, selected.length);
      next.length = selected.length;
    } else {
      first.accumulate(0, firstCount, p, n, 0, group, out, qOff, s);
    }
    if (secondCount > 0) {
      main.accumulate(secondFrom, secondCount, p, n, firstCount, group, out, qOff, s);
    }
  }

  @Override
  protected void free() {
    for (LayerStore l : layers) {
      l.free();
    }
  }

  /** A pool task that runs units for one worker slot; reused across calls ({@code reinitialize}). */
  private static final class Worker extends RecursiveAction {
    private final CpuKvCache cache;
    private final int thread;

    Worker(CpuKvCache cache, int thread) {
      this.cache = cache;
      this.thread = thread;
    }

    @Override
    protected void compute() {
      cache.runUnits(thread);
    }
  }
}
