package org.recycledattention.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.CacheStats;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.ScoreMath;
import org.recycledattention.api.cache.Scores;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.plan.ScoreMode;
import org.recycledattention.api.plan.ScoreRequest;
import org.recycledattention.api.plan.StepPlan;

/**
 * The conformance suite of a {@link KvCacheBackendProvider}. Extend it and override {@link
 * #provider()}; override {@link #config()} to run the suite under other keys (another storage type).
 * When {@code provider().isAvailable()} is false every test is skipped by assumption, with the
 * provider's reason.
 *
 * <p>Everything is compared with {@link ReferenceAttention} (double precision) within {@link
 * #tolerance(KvDtype)}: {@code |actual - expected| <= tol + tol·|expected|} for outputs; for scores
 * (probabilities, about {@code 1/n} each) {@code |actual - expected| <= tol·(|expected| + 1/n)}.
 *
 * <p>Checks that need a capability run only when it is declared; for every capability that is not
 * declared, the operation that needs it must throw {@link UnsupportedOperationException} naming it.
 */
public abstract class BaseKvCacheBackendTestCase {
  /** The seed of each test method; printed on failure. */
  @RegisterExtension
  protected final TestSeed seed = new TestSeed();

  private KvCacheBackendProvider backendProvider;
  private KvCacheBackend backend;
  private final List<KvCache> open = new ArrayList<>();

  /** The provider under test. */
  protected abstract KvCacheBackendProvider provider();

  /** The backend's keys (prefix-stripped, {@code dtype=f16}). Default: none. */
  protected Map<String, String> config() {
    return Map.of();
  }

  /**
   * The stated tolerance per storage type: f32 1e-4, f16 2e-2, bf16 4e-2 (absolute plus relative). bf16
   * keeps 8 significant bits to f16's 11, so its rounding errors are 8 times larger; at 2e-2 about one
   * random run in a few hundred put a long sequence's scores just past the bound (seed CAC008BD47E5A494).
   */
  protected double tolerance(KvDtype dtype) {
    return switch (dtype) {
      case F32 -> 1e-4;
      case F16 -> 2e-2;
      case BF16 -> 4e-2;
    };
  }

  /**
   * The cache each cycle of {@link #closeReleasesMemory} fills: by default 2 layers × 4 KV heads × 64
   * × 2048 tokens, 8 MiB of f32, so that a leak outgrows the noise of heap pages the JVM touches.
   */
  protected CacheSpec memoryCycleSpec() {
    return new CacheSpec(2, 8, 4, 64, 2048);
  }

  @BeforeEach
  final void openBackend() {
    backendProvider = provider();
    assertThat(backendProvider).as("provider()").isNotNull();
    if (!backendProvider.isAvailable()) {
      String why = "backend '" + backendProvider.name() + "' is not available here: " + backendProvider.availability().detail();
      System.out.println("[ra-tests] skipping: " + why);
      assumeTrue(false, why);
    }
    backend = Providers.create(backendProvider, config());
  }

  @AfterEach
  final void closeBackend() {
    for (KvCache c : open) {
      c.close();
    }
    open.clear();
    if (backend != null) {
      backend.close();
    }
  }

  // ---- attention against the reference

  /**
   * Random shapes covering GQA ratios 1, 2, 4, 8 and head dims 32, 48, 64, 128, lengths from 1 to
   * about 5000, appended in random chunks; Full attention, then random evictions and retains, then
   * a gathered partial cache with Partial plans, each compared with the reference.
   */
  @Test
  public void attendMatchesReferenceOnRandomShapesAndWorkingSets() {
    SplittableRandom r = seed.random();
    List<Integer> ratios = shuffled(r, 1, 2, 4, 8);
    List<Integer> dims = shuffled(r, 32, 48, 64, 128);
    int[] lengths = {1, 2 + r.nextInt(40), 41 + r.nextInt(560), 4000 + r.nextInt(1001)};
    for (int c = 0; c < 4; c++) {
      int kvHeads = lengths[c] > 1000 ? 1 : 1 + r.nextInt(2);
      CacheSpec spec = new CacheSpec(2, kvHeads * ratios.get(c), kvHeads, dims.get(c), lengths[c] + 4);
      String shape = "shape " + spec + ", length " + lengths[c];
      Harness h = new Harness(spec, r);
      h.appendRandomChunks(lengths[c]);
      for (int layer = 0; layer < spec.layers(); layer++) {
        h.checkAttend(layer, StepPlan.Full.NO_SCORES, shape + ", Full");
        if (has(BackendCapability.SCORES)) {
          h.checkAttend(layer, StepPlan.Full.LAST_MAX, shape + ", Full with max scores");
        }
      }
      int layer = r.nextInt(spec.layers());
      if (has(BackendCapability.EVICTION) && h.model.length(layer) > 2) {
        for (int e = 0; e < 3 && h.model.length(layer) > 2; e++) {
          h.evictRandom(layer);
          h.checkPositions(layer, shape + ", after evict");
          h.checkAttend(layer, StepPlan.Full.NO_SCORES, shape + ", Full after evict");
        }
        h.retainRandom(layer, 1 + r.nextInt(h.model.length(layer)));
        h.checkPositions(layer, shape + ", after retain");
        h.checkAttend(layer, StepPlan.Full.NO_SCORES, shape + ", Full after retain");
        h.appendTokens(layer, 1); // appends continue after a retain
        h.checkAttend(layer, StepPlan.Full.NO_SCORES, shape + ", Full after retain and append");
      }
      if (has(BackendCapability.PARTIAL_CACHE) && h.model.length(layer) > 1) {
        h.gatherRandom(layer, 1 + r.nextInt(h.model.length(layer)));
        h.checkPositions(layer, shape + ", after gatherPartial");
        h.appendTokens(layer, 1);
        h.checkAttend(layer, StepPlan.Partial.NO_SCORES, shape + ", Partial");
        int[] replace = new int[kvHeads];
        boolean append = r.nextBoolean();
        for (int kv = 0; kv < kvHeads; kv++) {
          replace[kv] = append ? -1 : r.nextInt(h.model.partialLength(layer));
        }
        h.cache.workingSet(layer).appendToPartial(replace);
        h.model.appendToPartial(layer, replace);
        h.checkPositions(layer, shape + ", after appendToPartial " + Arrays.toString(replace));
        h.appendTokens(layer, 1);
        h.checkAttend(layer, StepPlan.Partial.NO_SCORES, shape + ", Partial after appendToPartial");
        if (has(BackendCapability.SCORES)) {
          h.checkAttend(layer, new StepPlan.Partial(ScoreRequest.LAST_MAX), shape + ", Partial with max scores");
        }
        h.checkAttend(layer, StepPlan.Full.NO_SCORES, shape + ", Full while a partial cache exists");
        h.cache.workingSet(layer).clearPartial();
        h.model.clearPartial(layer);
        assertThat(h.cache.workingSet(layer).partialLength()).as("partialLength after clearPartial").isZero();
      }
    }
  }

  /** Several queries at once: query i reads the entries up to its own (causal mask). */
  @Test
  public void multiQueryAttendIsCausal() {
    assumeTrue(has(BackendCapability.MULTI_QUERY), () -> "backend '" + backendProvider.name() + "' does not declare MULTI_QUERY");
    SplittableRandom r = seed.random();
    for (int c = 0; c < 3; c++) {
      int kvHeads = 1 + r.nextInt(2);
      int group = new int[] {1, 2, 4}[r.nextInt(3)];
      CacheSpec spec = new CacheSpec(1, kvHeads * group, kvHeads, new int[] {32, 48, 64}[r.nextInt(3)], 400);
      Harness h = new Harness(spec, r);
      int prefix = c == 0 ? 0 : r.nextInt(300);
      int queries = 2 + r.nextInt(31);
      h.appendTokens(0, prefix);
      h.appendTokens(0, queries);
      String shape = "shape " + spec + ", prefix " + prefix + ", " + queries + " queries";
      h.checkAttend(0, queries, StepPlan.Full.NO_SCORES, shape);
      if (has(BackendCapability.SCORES)) {
        for (GroupReduction reduction : GroupReduction.values()) {
          for (ScoreMode mode : new ScoreMode[] {ScoreMode.LAST_QUERY, ScoreMode.SUM}) {
            h.checkAttend(0, queries, new StepPlan.Full(new ScoreRequest(mode, reduction)), shape + ", scores " + mode + "/" + reduction);
          }
        }
      }
    }
  }

  /** Scores are the probabilities reduced over each group by max, mean or first, one per entry attended. */
  @Test
  public void scoresAreReducedOverTheGroup() {
    assumeTrue(has(BackendCapability.SCORES), () -> "backend '" + backendProvider.name() + "' does not declare SCORES");
    SplittableRandom r = seed.random();
    int kvHeads = 2;
    int group = 4;
    CacheSpec spec = new CacheSpec(1, kvHeads * group, kvHeads, 32, 400);
    Harness h = new Harness(spec, r);
    int n = 50 + r.nextInt(250);
    h.appendRandomChunks(n);
    for (GroupReduction reduction : GroupReduction.values()) {
      Scores s = h.checkAttend(0, new StepPlan.Full(new ScoreRequest(ScoreMode.LAST_QUERY, reduction)), "reduction " + reduction).scores();
      assertThat(s.kvHeads()).as("scores.kvHeads()").isEqualTo(kvHeads);
      assertThat(s.length()).as("scores.length() of a Full plan").isEqualTo(n);
      for (int kv = 0; kv < kvHeads; kv++) {
        double sum = 0;
        for (float p : s.toArray(kv)) {
          assertThat(p).as("a probability").isBetween(0f, 1f + 1e-5f);
          sum += p;
        }
        if (reduction == GroupReduction.MAX) {
          assertThat(sum).as("sum of max-reduced probabilities of head %d", kv).isGreaterThanOrEqualTo(1 - 1e-3);
        } else {
          assertThat(sum).as("sum of %s-reduced probabilities of head %d", reduction, kv).isCloseTo(1.0, Offset.offset(1e-3));
        }
      }
    }
    if (has(BackendCapability.PARTIAL_CACHE)) {
      h.gatherRandom(0, 1 + r.nextInt(n));
      h.appendTokens(0, 1);
      Scores s = h.checkAttend(0, new StepPlan.Partial(ScoreRequest.LAST_MAX), "Partial with max scores").scores();
      assertThat(s.length()).as("scores.length() of a Partial plan").isEqualTo(h.model.partialLength(0) + 1);
    }
  }

  /** {@code Scores.topK} equals {@link ScoreMath#topK} on the same scores, and on the reference scores up to near-ties. */
  @Test
  public void topKSelectionMatchesScoreMath() {
    assumeTrue(has(BackendCapability.SCORES), () -> "backend '" + backendProvider.name() + "' does not declare SCORES");
    SplittableRandom r = seed.random();
    for (int c = 0; c < 3; c++) {
      int kvHeads = 1 + r.nextInt(3);
      int group = new int[] {1, 2, 4}[r.nextInt(3)];
      CacheSpec spec = new CacheSpec(1, kvHeads * group, kvHeads, 64, 1200);
      Harness h = new Harness(spec, r);
      int n = 20 + r.nextInt(1000);
      h.appendRandomChunks(n);
      StepPlan plan = new StepPlan.Full(new ScoreRequest(ScoreMode.LAST_QUERY, GroupReduction.values()[r.nextInt(3)]));
      float[] q = h.randomQueries(1);
      AttentionResult result = h.cache.attend(0, q, 1, plan, new float[q.length]);
      ReferenceAttention.Result want = h.model.attend(0, q, 1, plan);
      int k = 1 + r.nextInt(n);
      int kernel = new int[] {1, 3, 7}[r.nextInt(3)];
      int keepRecent = r.nextBoolean() ? 0 : r.nextInt(8);
      String what = "topK(k=" + k + ", kernel=" + kernel + ", keepRecent=" + keepRecent + ") of " + n + " entries, " + spec;
      Selection fromHost = ScoreMath.topK(copy(result.scores()), k, kernel, keepRecent);
      Selection got = result.scores().topK(k, kernel, keepRecent);
      assertThat(got).as("backend %s vs ScoreMath on the backend's own scores", what).isEqualTo(fromHost);
      // against the reference scores: a different slot is allowed only at a near-tie
      double tol = tolerance(backend.storageDtype());
      for (int kv = 0; kv < kvHeads; kv++) {
        float[] ref = new float[n];
        for (int j = 0; j < n; j++) {
          ref[j] = (float) want.scores()[kv][j];
        }
        float[] pooled = new float[n];
        int[] refSlots = ScoreMath.topK(ref, n, k, kernel, keepRecent, pooled, new float[Math.min(k, n)]);
        int[] gotSlots = got.slots(kv);
        if (!Arrays.equals(refSlots, gotSlots)) {
          float[] sortedPooled = pooled.clone();
          Arrays.sort(sortedPooled);
          double kth = sortedPooled[n - Math.min(k, n)];
          for (int slot : gotSlots) {
            boolean recent = slot >= n - keepRecent;
            if (!recent && pooled[slot] < kth - tol * (kth + 1.0 / n)) {
              fail("backend '%s' %s head %d selected slot %d with reference pooled score %s, clearly below the k-th best %s: got %s, reference %s",
                  backendProvider.name(), what, kv, slot, pooled[slot], kth, Arrays.toString(gotSlots), Arrays.toString(refSlots));
            }
          }
        }
      }
    }
  }

  // ---- memory

  /** Resident bytes count entries exactly and drop on evict, retain and clearPartial. */
  @Test
  public void evictionFreesResidentBytes() {
    assumeTrue(has(BackendCapability.EVICTION), () -> "backend '" + backendProvider.name() + "' does not declare EVICTION");
    SplittableRandom r = seed.random();
    CacheSpec spec = new CacheSpec(2, 4, 2, 64, 600);
    Harness h = new Harness(spec, r);
    int n = 100 + r.nextInt(400);
    for (int layer = 0; layer < 2; layer++) {
      h.appendTokens(layer, n);
    }
    KvDtype dtype = h.cache.storageDtype();
    long perEntry = (long) spec.kvHeads() * spec.headDim() * 2 * dtype.bytes();
    assertThat(h.cache.stats().residentBytes()).as("residentBytes of %d entries in 2 layers", n).isEqualTo(h.model.residentBytes(dtype));
    long peak = h.model.residentBytes(dtype);
    long before = h.cache.stats().residentBytes();
    h.evictRandom(0);
    assertThat(h.cache.stats().residentBytes()).as("residentBytes after evicting one entry per head").isEqualTo(before - perEntry);
    int keep = 1 + r.nextInt(n / 2);
    h.retainRandom(1, keep);
    assertThat(h.cache.stats().residentBytes()).as("residentBytes after retaining %d of %d entries", keep, n).isEqualTo(h.model.residentBytes(dtype));
    if (has(BackendCapability.PARTIAL_CACHE)) {
      h.gatherRandom(0, 1 + r.nextInt(h.model.length(0)));
      peak = Math.max(peak, h.model.residentBytes(dtype));
      assertThat(h.cache.stats().residentBytes()).as("residentBytes with a partial cache").isEqualTo(h.model.residentBytes(dtype));
      h.cache.workingSet(0).clearPartial();
      h.model.clearPartial(0);
      assertThat(h.cache.stats().residentBytes()).as("residentBytes after clearPartial").isEqualTo(h.model.residentBytes(dtype));
    }
    CacheStats stats = h.cache.stats();
    assertThat(stats.peakResidentBytes()).as("peakResidentBytes: the largest residentBytes seen").isEqualTo(peak);
  }

  /** Time the memory check may cycle for after warm-up (the suite must stay fast for slow backends). */
  private static final long MEMORY_CHECK_NANOS = 20_000_000_000L;

  /**
   * 300 cycles (or as many as fit in 20 s) of allocate, append, attend, close keep memory flat
   * within a generous bound: the process resident set (VmRSS: heap pages touched, native and
   * host-side device memory) and the Java heap in use after a full collection each grow by less than
   * half of what the cycles allocated in total. A cache that leaks its storage grows both by about the total. Prints the growth.
   */
  @Test
  public void closeReleasesMemory() throws IOException {
    Path status = Path.of("/proc/self/status");
    assumeTrue(Files.isReadable(status), "VmRSS needs /proc/self/status (Linux)");
    SplittableRandom r = seed.random();
    CacheSpec spec = memoryCycleSpec();
    float[] k = randomArray(r, spec.maxTokens() * spec.kvHeads() * spec.headDim());
    float[] v = randomArray(r, k.length);
    float[] q = randomArray(r, spec.queryHeads() * spec.headDim());
    int[] positions = new int[spec.maxTokens()];
    Arrays.setAll(positions, i -> i);
    StepPlan plan = has(BackendCapability.SCORES) ? StepPlan.Full.LAST_MAX : StepPlan.Full.NO_SCORES;
    float[] out = new float[q.length];
    int warmup = 10;
    int maxCycles = 300;
    long deadline = 0;
    int cycles = 0;
    long perCycle = 0;
    long rssBefore = 0;
    long heapUsedBefore = 0;
    MemoryMXBean heap = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < warmup + maxCycles; i++) {
      if (i == warmup) {
        System.gc();
        rssBefore = rss(status);
        heapUsedBefore = heap.getHeapMemoryUsage().getUsed();
        deadline = System.nanoTime() + MEMORY_CHECK_NANOS;
      } else if (i > warmup && System.nanoTime() > deadline) {
        break; // a slow backend gets fewer cycles; the bound scales with what was allocated
      }
      KvCache cache = backend.allocate(spec);
      try {
        for (int layer = 0; layer < spec.layers(); layer++) {
          cache.append(layer, k, v, positions, spec.maxTokens());
          cache.attend(layer, q, 1, plan, out);
        }
        perCycle = cache.stats().residentBytes();
      } finally {
        cache.close();
      }
      if (i >= warmup) {
        cycles++;
      }
    }
    System.gc();
    long rssGrowth = rss(status) - rssBefore;
    long inHeap = heap.getHeapMemoryUsage().getUsed() - heapUsedBefore;
    long total = perCycle * cycles;
    System.out.printf("[ra-tests] backend '%s': %d allocate/append/attend/close cycles of %.1f MiB each; VmRSS grew by %.1f MiB, "
        + "heap in use after GC by %.1f MiB (bound %.1f MiB each)%n",
        backendProvider.name(), cycles, perCycle / 1048576.0, rssGrowth / 1048576.0, inHeap / 1048576.0, total / 2 / 1048576.0);
    assertThat(perCycle).as("residentBytes of a full cache").isPositive();
    assertThat(rssGrowth).as("growth of VmRSS in bytes over %d cycles that allocated %d bytes in all; a closed cache must free its memory",
        cycles, total).isLessThan(total / 2);
    assertThat(inHeap).as("growth of the Java heap in use after GC, in bytes, over %d cycles that allocated %d bytes in all; "
        + "a closed cache must drop its arrays", cycles, total).isLessThan(total / 2);
  }

  /** Two caches of one backend share nothing: appends, evictions and close of one leave the other as it was. */
  @Test
  public void twoCachesAreIndependent() {
    SplittableRandom r = seed.random();
    CacheSpec spec = new CacheSpec(2, 4, 2, 32, 300);
    Harness a = new Harness(spec, r);
    Harness b = new Harness(spec, r);
    int na = 20 + r.nextInt(200);
    int nb = 20 + r.nextInt(200);
    for (int layer = 0; layer < 2; layer++) {
      a.appendTokens(layer, na);
      b.appendTokens(layer, nb);
    }
    a.checkAttend(0, StepPlan.Full.NO_SCORES, "cache A");
    b.checkAttend(0, StepPlan.Full.NO_SCORES, "cache B");
    long bCalls = b.cache.stats().attendCalls();
    if (has(BackendCapability.EVICTION)) {
      a.retainRandom(0, 1 + r.nextInt(na));
      assertThat(b.cache.workingSet(0).length()).as("cache B's length after a retain in cache A").isEqualTo(nb);
    }
    a.checkAttend(1, StepPlan.Full.NO_SCORES, "cache A");
    assertThat(b.cache.stats().attendCalls()).as("cache B's attendCalls after attends on cache A").isEqualTo(bCalls);
    a.cache.close();
    b.checkAttend(0, StepPlan.Full.NO_SCORES, "cache B after cache A was closed");
    b.checkAttend(1, StepPlan.Full.NO_SCORES, "cache B after cache A was closed");
  }

  // ---- capabilities and contract edges

  /**
   * Trino's {@code hasBehavior}: the provider and its backend declare the same capabilities, and
   * for every capability not declared the operation that needs it throws {@link
   * UnsupportedOperationException} whose message names the capability.
   */
  @Test
  public void undeclaredCapabilitiesFailNamingTheCapability() {
    Set<BackendCapability> declared = backendProvider.capabilities();
    assertThat(backend.capabilities()).as("backend.capabilities() vs provider.capabilities()").isEqualTo(declared);
    assertThat(backend.storageDtype()).as("backend.storageDtype()").isNotNull();
    SplittableRandom r = seed.random();
    CacheSpec spec = new CacheSpec(1, 4, 2, 32, 64);
    Harness h = new Harness(spec, r);
    h.appendTokens(0, 16);
    assertThat(h.cache.storageDtype()).as("cache.storageDtype()").isEqualTo(backend.storageDtype());
    WorkingSet ws = h.cache.workingSet(0);
    Selection some = new Selection(new int[][] {{1, 3}, {0, 2}}, new float[][] {{0, 0}, {0, 0}});
    for (BackendCapability missing : EnumSet.complementOf(EnumSet.copyOf(withNone(declared)))) {
      switch (missing) {
        case SCORES -> expectUnsupported(missing, "attend with a score request",
            () -> h.cache.attend(0, h.randomQueries(1), 1, StepPlan.Full.LAST_MAX, new float[128]));
        case PARTIAL_CACHE -> {
          expectUnsupported(missing, "gatherPartial", () -> ws.gatherPartial(some));
          expectUnsupported(missing, "appendToPartial", () -> ws.appendToPartial(new int[] {-1, -1}));
          expectUnsupported(missing, "attend with StepPlan.Partial",
              () -> h.cache.attend(0, h.randomQueries(1), 1, StepPlan.Partial.NO_SCORES, new float[128]));
        }
        case EVICTION -> {
          expectUnsupported(missing, "evict", () -> ws.evict(new int[] {0, 1}));
          expectUnsupported(missing, "retain", () -> ws.retain(some));
        }
        case MULTI_QUERY -> expectUnsupported(missing, "attend with 4 queries",
            () -> h.cache.attend(0, h.randomQueries(4), 4, StepPlan.Full.NO_SCORES, new float[4 * 128]));
      }
    }
    // the cache is still usable after the refused operations
    h.checkAttend(0, StepPlan.Full.NO_SCORES, "after refused operations");
  }

  /** After close every method but close throws {@link IllegalStateException}; close is idempotent. */
  @Test
  public void useAfterCloseThrowsIllegalState() {
    SplittableRandom r = seed.random();
    CacheSpec spec = new CacheSpec(1, 2, 1, 32, 16);
    Harness h = new Harness(spec, r);
    h.appendTokens(0, 4);
    KvCache cache = h.cache;
    cache.close();
    assertThatCode(cache::close).as("a second close()").doesNotThrowAnyException();
    float[] kv = new float[32];
    String who = "backend '" + backendProvider.name() + "': ";
    assertThat(thrown(() -> cache.append(0, kv, kv, new int[] {4}, 1), who + "append after close must throw IllegalStateException"))
        .as(who + "append after close").isInstanceOf(IllegalStateException.class);
    assertThat(thrown(() -> cache.attend(0, new float[64], 1, StepPlan.Full.NO_SCORES, new float[64]), who + "attend after close must throw IllegalStateException"))
        .as(who + "attend after close").isInstanceOf(IllegalStateException.class);
    assertThat(thrown(() -> cache.workingSet(0), who + "workingSet after close must throw IllegalStateException"))
        .as(who + "workingSet after close").isInstanceOf(IllegalStateException.class);
    assertThat(thrown(cache::stats, who + "stats after close must throw IllegalStateException"))
        .as(who + "stats after close").isInstanceOf(IllegalStateException.class);
  }

  /** Appending past {@code maxTokens} throws {@link IllegalStateException}; short arrays {@link IllegalArgumentException}. */
  @Test
  public void appendChecksCapacityAndShapes() {
    SplittableRandom r = seed.random();
    CacheSpec spec = new CacheSpec(1, 2, 1, 32, 8);
    Harness h = new Harness(spec, r);
    h.appendTokens(0, 8);
    float[] one = new float[32];
    String who = "backend '" + backendProvider.name() + "': ";
    assertThat(thrown(() -> h.cache.append(0, one, one, new int[] {8}, 1), who + "append beyond maxTokens must throw IllegalStateException"))
        .as(who + "append beyond maxTokens").isInstanceOf(IllegalStateException.class);
    Harness g = new Harness(spec, r);
    assertThat(thrown(() -> g.cache.append(0, new float[31], new float[32], new int[] {0}, 1), who + "append with a short key array must throw IllegalArgumentException"))
        .as(who + "append with a short key array").isInstanceOf(IllegalArgumentException.class);
  }

  /** {@code attendedTokens} and the counters of {@link CacheStats} follow the calls. */
  @Test
  public void statsCountCallsAndEntries() {
    SplittableRandom r = seed.random();
    CacheSpec spec = new CacheSpec(2, 4, 2, 32, 200);
    Harness h = new Harness(spec, r);
    int n = 10 + r.nextInt(150);
    h.appendTokens(0, n);
    h.appendTokens(1, n);
    CacheStats before = h.cache.stats();
    assertThat(before.attendCalls()).isZero();
    h.checkAttend(0, StepPlan.Full.NO_SCORES, "first call");
    h.checkAttend(1, StepPlan.Full.NO_SCORES, "second call");
    CacheStats after = h.cache.stats();
    assertThat(after.attendCalls()).as("attendCalls").isEqualTo(2);
    assertThat(after.tokensAttended()).as("tokensAttended (entries per call, counted once per layer)").isEqualTo(2L * n);
    assertThat(after.bytesRead()).as("bytesRead").isPositive();
  }

  // ---- helpers

  private boolean has(BackendCapability c) {
    return backend.capabilities().contains(c);
  }

  private static Set<BackendCapability> withNone(Set<BackendCapability> s) {
    return s.isEmpty() ? EnumSet.noneOf(BackendCapability.class) : s;
  }

  private void expectUnsupported(BackendCapability missing, String operation, ThrowingCallable call) {
    Throwable t = thrown(call, "backend '" + backendProvider.name() + "' does not declare " + missing + ", so " + operation
        + " must throw UnsupportedOperationException naming it");
    assertThat(t).as("backend '%s' does not declare %s, so %s must throw UnsupportedOperationException naming it", backendProvider.name(), missing, operation)
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining(missing.name());
  }

  /** What {@code call} threw; fails with {@code expectation} when it threw nothing. */
  private static Throwable thrown(ThrowingCallable call, String expectation) {
    try {
      call.call();
    } catch (Throwable t) {
      return t;
    }
    throw new AssertionError(expectation + ", but nothing was thrown");
  }

  private static List<Integer> shuffled(SplittableRandom r, Integer... values) {
    List<Integer> list = new ArrayList<>(List.of(values));
    for (int i = list.size() - 1; i > 0; i--) {
      Collections.swap(list, i, r.nextInt(i + 1));
    }
    return list;
  }

  private static float[] randomArray(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }

  private static long rss(Path status) throws IOException {
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException("no VmRSS line in " + status);
  }

  private static Scores copy(Scores s) {
    float[][] rows = new float[s.kvHeads()][];
    for (int h = 0; h < rows.length; h++) {
      rows[h] = s.toArray(h);
    }
    return ArrayScores.of(rows);
  }

  /** A cache of the backend under test and its reference model, changed in step. */
  private final class Harness {
    final CacheSpec spec;
    final SplittableRandom r;
    final KvCache cache;
    final ReferenceAttention model;
    final int[] nextPosition;

    Harness(CacheSpec spec, SplittableRandom r) {
      this.spec = spec;
      this.r = r;
      this.cache = backend.allocate(spec);
      open.add(cache);
      this.model = new ReferenceAttention(spec);
      this.nextPosition = new int[spec.layers()];
    }

    void appendRandomChunks(int n) {
      for (int layer = 0; layer < spec.layers(); layer++) {
        int left = n;
        while (left > 0) {
          int c = Math.min(left, 1 + r.nextInt(Math.max(1, n / 3)));
          appendTokens(layer, c);
          left -= c;
        }
      }
    }

    void appendTokens(int layer, int tokens) {
      if (tokens == 0) {
        return;
      }
      int width = spec.kvHeads() * spec.headDim();
      float[] k = randomArray(r, tokens * width);
      float[] v = randomArray(r, tokens * width);
      int[] positions = new int[tokens];
      for (int t = 0; t < tokens; t++) {
        positions[t] = nextPosition[layer]++;
      }
      cache.append(layer, k, v, positions, tokens);
      model.append(layer, k, v, positions, tokens);
    }

    /** Queries scaled so that attention is peaked (logits of standard deviation 2). */
    float[] randomQueries(int queries) {
      float[] q = randomArray(r, queries * spec.queryHeads() * spec.headDim());
      for (int i = 0; i < q.length; i++) {
        q[i] *= 2;
      }
      return q;
    }

    AttentionResult checkAttend(int layer, StepPlan plan, String what) {
      return checkAttend(layer, 1, plan, what);
    }

    AttentionResult checkAttend(int layer, int queries, StepPlan plan, String what) {
      float[] q = randomQueries(queries);
      float[] out = new float[q.length];
      AttentionResult got = cache.attend(layer, q, queries, plan, out);
      ReferenceAttention.Result want = model.attend(layer, q, queries, plan);
      String where = "backend '" + backendProvider.name() + "' layer " + layer + ", " + what;
      double tol = tolerance(cache.storageDtype());
      assertThat(got.attendedTokens()).as("%s: attendedTokens", where).isEqualTo(want.attended());
      for (int i = 0; i < out.length; i++) {
        double e = want.output()[i];
        if (!(Math.abs(out[i] - e) <= tol + tol * Math.abs(e))) {
          int d = spec.headDim();
          fail("%s: output of query %d, query head %d, element %d is %s, reference %s (tolerance %s abs + rel for %s storage)", where,
              i / (spec.queryHeads() * d), (i / d) % spec.queryHeads(), i % d, out[i], e, tol, cache.storageDtype());
        }
      }
      if (plan.scores().wanted()) {
        assertThat(got.hasScores()).as("%s: scores asked for", where).isTrue();
        Scores s = got.scores();
        assertThat(s.kvHeads()).as("%s: scores.kvHeads()", where).isEqualTo(spec.kvHeads());
        assertThat(s.length()).as("%s: scores.length()", where).isEqualTo(want.attended());
        for (int kv = 0; kv < spec.kvHeads(); kv++) {
          float[] row = s.toArray(kv);
          for (int j = 0; j < row.length; j++) {
            double e = want.scores()[kv][j];
            if (!(Math.abs(row[j] - e) <= tol * (Math.abs(e) + 1.0 / row.length))) {
              fail("%s: score of KV head %d, entry %d is %s, reference %s (%s; tolerance %s·(|ref| + 1/n))", where, kv, j, row[j], e, plan.scores(), tol);
            }
          }
        }
      } else {
        assertThat(got.hasScores()).as("%s: no scores were asked for", where).isFalse();
      }
      return got;
    }

    void evictRandom(int layer) {
      int[] slots = new int[spec.kvHeads()];
      for (int kv = 0; kv < slots.length; kv++) {
        slots[kv] = r.nextInt(model.length(layer));
      }
      cache.workingSet(layer).evict(slots);
      model.evict(layer, slots);
    }

    void retainRandom(int layer, int keep) {
      Selection s = randomSelection(model.length(layer), keep);
      cache.workingSet(layer).retain(s);
      model.retain(layer, s);
    }

    void gatherRandom(int layer, int keep) {
      Selection s = randomSelection(model.length(layer), keep);
      cache.workingSet(layer).gatherPartial(s);
      model.gatherPartial(layer, s);
    }

    Selection randomSelection(int length, int keep) {
      int[][] slots = new int[spec.kvHeads()][];
      float[][] scores = new float[spec.kvHeads()][keep];
      for (int kv = 0; kv < slots.length; kv++) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < length; i++) {
          all.add(i);
        }
        for (int i = all.size() - 1; i > 0; i--) {
          Collections.swap(all, i, r.nextInt(i + 1));
        }
        slots[kv] = all.subList(0, keep).stream().mapToInt(Integer::intValue).sorted().toArray();
      }
      return new Selection(slots, scores);
    }

    void checkPositions(int layer, String what) {
      WorkingSet ws = cache.workingSet(layer);
      assertThat(ws.layer()).as("workingSet(%d).layer()", layer).isEqualTo(layer);
      assertThat(ws.kvHeads()).as("workingSet.kvHeads()").isEqualTo(spec.kvHeads());
      assertThat(ws.length()).as("%s: length", what).isEqualTo(model.length(layer));
      assertThat(ws.partialLength()).as("%s: partialLength", what).isEqualTo(model.partialLength(layer));
      for (int kv = 0; kv < spec.kvHeads(); kv++) {
        for (int s = 0; s < model.length(layer); s++) {
          if (ws.position(kv, s) != model.position(layer, kv, s)) {
            fail("backend '%s' %s: position of KV head %d slot %d is %d, expected %d (evict moves the last entry into the freed slot)",
                backendProvider.name(), what, kv, s, ws.position(kv, s), model.position(layer, kv, s));
          }
        }
        for (int s = 0; s < model.partialLength(layer); s++) {
          assertThat(ws.partialPosition(kv, s)).as("%s: partial position of KV head %d slot %d", what, kv, s)
              .isEqualTo(model.partialPosition(layer, kv, s));
        }
      }
    }
  }
}
