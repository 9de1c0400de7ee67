package org.recycledattention.eval.bench;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.engine.decode.DecodeTimes;
import org.recycledattention.engine.decode.GenerationStats;
import org.recycledattention.engine.decode.PolicyFactory;
import org.recycledattention.engine.decode.Session;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.engine.decode.Sampler;

/**
 * Runs the decode benchmark. Not thread-safe; one run at a time.
 */
public final class BenchRunner {
  /** How the cache is filled to the context depth. */
  public enum Fill {
    RANDOM, PREFILL
  }

  /**
   * @param contexts cache depths to measure
   * @param decodeTokens tokens decoded per cell
   * @param rounds the decode tokens are split into this many rounds, cells alternating within each
   * @param fill how the cache is filled
   * @param threads dense-kernel threads
   * @param seed seed of the synthetic keys/values and prompts
   * @param readBandwidth the machine's measured read bandwidth in GB/s, reported with each cell
   *     beside its attention's read rate; {@code NaN} when not measured
   */
  public record Options(List<Integer> contexts, int decodeTokens, int rounds, Fill fill, int threads, long seed, double readBandwidth) {
    /** Options without a bandwidth measurement. */
    public Options(List<Integer> contexts, int decodeTokens, int rounds, Fill fill, int threads, long seed) {
      this(contexts, decodeTokens, rounds, fill, threads, seed, Double.NaN);
    }

    public Options {
      contexts = List.copyOf(contexts);
      if (contexts.isEmpty() || contexts.stream().anyMatch(c -> c < 1)) {
        throw new IllegalArgumentException("contexts must be positive, got " + contexts);
      }
      if (decodeTokens < 1 || rounds < 1 || rounds > decodeTokens || threads < 1) {
        throw new IllegalArgumentException("need decodeTokens >= rounds >= 1 and threads >= 1");
      }
    }
  }

  /** Progress: a finished (context, round). */
  public record Progress(int context, int round, int rounds) {}

  private final LanguageModel model;

  public BenchRunner(LanguageModel model) {
    this.model = requireNonNull(model, "model is null");
  }

  /**
   * Checks that every context of {@code o}, with its warm-up and decode tokens, fits the model; {@link
   * #run} calls it before any work, and a command may call it earlier.
   *
   * @throws ConfigException (exit 2) naming the first context that does not fit
   */
  public void check(Options o) {
    int warmUpMax = warmUpSteps(o.decodeTokens()) + EXTRA_WARM_UP;
    for (int context : o.contexts()) {
      if ((long) context + 1 + warmUpMax + o.decodeTokens() > model.shape().contextLength()) {
        throw new ConfigException("context " + context + " plus up to " + warmUpMax + " warm-up and " + o.decodeTokens()
            + " decode tokens exceeds the model's context length " + model.shape().contextLength() + "; lower --contexts or --decode-tokens");
      }
    }
  }

  /**
   * Measures every (backend, policy) pair at every context.
   *
   * @param backends by name, in the order to report
   * @param policies for a context length, the policies to run (their budget may depend on it); the
   *     full-attention entry, named "full", is the reference of the speedups
   */
  public List<BenchCell> run(Options o, Map<String, KvCacheBackend> backends, IntFunction<List<PolicyFactory>> policies, Consumer<Progress> progress) {
    return run(o, backends, policies, progress, cells -> { });
  }

  /**
   * {@link #run(Options, Map, IntFunction, Consumer)}, handing {@code finished} the cells of each
   * context as soon as that context is measured (for a partial report if the run is interrupted).
   */
  public List<BenchCell> run(Options o, Map<String, KvCacheBackend> backends, IntFunction<List<PolicyFactory>> policies, Consumer<Progress> progress,
      Consumer<List<BenchCell>> finished) {
    check(o);
    warmUpJit(o, backends, policies.apply(o.contexts().getFirst()));
    List<BenchCell> out = new ArrayList<>();
    for (int context : o.contexts()) {
      int warmUp = warmUpSteps(o.decodeTokens());
      int warmUpMax = warmUp + EXTRA_WARM_UP;
      List<Cell> cells = new ArrayList<>();
      try {
        for (Map.Entry<String, KvCacheBackend> b : backends.entrySet()) {
          for (PolicyFactory p : policies.apply(context)) {
            Cell cell = new Cell(b.getKey(), p, new Session(model, b.getValue(), p, o.threads(), context + 1 + warmUpMax + o.decodeTokens()),
                o.decodeTokens());
            cells.add(cell);
            cell.fill(context, o);
          }
        }
        // warm-up, untimed: the JIT compiles each cell's path before any step is measured
        for (Cell cell : cells) {
          cell.warmUp(warmUp);
        }
        int done = 0;
        for (int round = 0; round < o.rounds(); round++) {
          int upTo = (int) ((long) o.decodeTokens() * (round + 1) / o.rounds());
          for (Cell cell : cells) {
            cell.decodeUntil(upTo);
          }
          done = upTo;
          progress.accept(new Progress(context, round + 1, o.rounds()));
        }
        assert done == o.decodeTokens();
        List<BenchCell> measured = new ArrayList<>();
        for (Cell cell : cells) {
          measured.add(cell.result(context, cells, o.readBandwidth()));
        }
        out.addAll(measured);
        finished.accept(List.copyOf(measured));
      } finally {
        for (Cell c : cells) {
          c.session.close();
        }
      }
    }
    return out;
  }

  /**
   * Before any cell: every (backend, policy) pair decodes, at the first context, in a session of its
   * own that is then dropped, until the JIT has finished no compilation for {@link
   * #JIT_QUIET_NANOS} (at most {@link #JIT_WARM_UP_MAX_NANOS} or {@link #JIT_WARM_UP_STEPS} steps).
   * C2 compiles the decode path in the background for one to two seconds on 2 cores; a cell's own
   * warm-up steps, which deepen its cache, cannot wait that long. Measured before this: the first
   * 1K cell of bench-small ran at 634 to 866 tokens/s after its 64 warm-up steps, the same cell
   * again in the same JVM at 1,700 to 2,500.
   */
  private void warmUpJit(Options o, Map<String, KvCacheBackend> backends, List<PolicyFactory> policies) {
    int context = o.contexts().getFirst();
    int steps = Math.min(JIT_WARM_UP_STEPS, model.shape().contextLength() - context - 1);
    if (steps < 1 || !JitWarmUp.available()) {
      return; // no session filled for a warm-up that would run nothing
    }
    for (KvCacheBackend b : backends.values()) {
      for (PolicyFactory p : policies) {
        try (Session session = new Session(model, b, p, o.threads(), context + 1 + steps)) {
          Cell cell = new Cell("", p, session, 1);
          cell.fill(context, o);
          JitWarmUp.untilQuiet(() -> {
            cell.next = Sampler.argmax(session.step(cell.next));
            return true;
          }, JIT_QUIET_NANOS, JIT_WARM_UP_MAX_NANOS, steps);
        }
      }
    }
  }

  static final long JIT_QUIET_NANOS = 300_000_000L;
  static final long JIT_WARM_UP_MAX_NANOS = 5_000_000_000L;
  static final int JIT_WARM_UP_STEPS = 8192;

  /**
   * Untimed steps each cell decodes first: enough for the JIT to compile every kind of step (a
   * recycled cell with stride 10 meets its first few full steps only here; compiled after one or two,
   * they cost several times a compiled one).
   */
  static int warmUpSteps(int decodeTokens) {
    return Math.max(32, decodeTokens / 4);
  }

  /**
   * Steps a cell's warm-up may add to {@link #warmUpSteps} until it has met every kind of step it
   * meets at least {@value #WARM_STEPS_PER_KIND} times: a recycled cell's full steps are one in ten,
   * and code that only they run is compiled only after several.
   */
  static final int EXTRA_WARM_UP = 512;

  static final int WARM_STEPS_PER_KIND = 16;

  private final class Cell {
    final String backend;
    final PolicyFactory policy;
    final Session session;
    final long[] nanos;
    /** Per decoded step: its kind and its share of the session's counters. */
    final StepKind[] kinds;
    final long[] attendNanos;
    final long[] policyNanos;
    final long[] kvBytes;
    int next;
    int decoded;

    Cell(String backend, PolicyFactory policy, Session session, int decodeTokens) {
      this.backend = backend;
      this.policy = policy;
      this.session = session;
      this.nanos = new long[decodeTokens];
      this.kinds = new StepKind[decodeTokens];
      this.attendNanos = new long[decodeTokens];
      this.policyNanos = new long[decodeTokens];
      this.kvBytes = new long[decodeTokens];
    }

    void fill(int context, Options o) {
      int vocab = model.config().vocabSize();
      float[] logits;
      if (o.fill() == Fill.RANDOM) {
        logits = session.prefillSynthetic(context, o.seed(), 1 % vocab);
      } else {
        Random r = new Random(o.seed());
        int[] prompt = new int[context + 1];
        for (int i = 0; i < prompt.length; i++) {
          prompt[i] = r.nextInt(vocab);
        }
        logits = session.prefill(prompt);
      }
      next = Sampler.argmax(logits);
    }

    void warmUp(int steps) {
      int[] seen = new int[StepKind.values().length];
      DecodeTimes before = session.decodeTimes();
      for (int i = 0; i < steps + EXTRA_WARM_UP; i++) {
        if (i >= steps && rarestSeen(seen) >= WARM_STEPS_PER_KIND) {
          break;
        }
        next = Sampler.argmax(session.step(next));
        DecodeTimes after = session.decodeTimes();
        seen[StepKind.of(after.fullLayerSteps() - before.fullLayerSteps(), after.partialLayerSteps() - before.partialLayerSteps()).ordinal()]++;
        before = after;
      }
    }

    /** The count of the kind of step met least often, among those met at all. */
    private static int rarestSeen(int[] seen) {
      int rarest = Integer.MAX_VALUE;
      for (int n : seen) {
        if (n > 0) {
          rarest = Math.min(rarest, n);
        }
      }
      return rarest;
    }

    void decodeUntil(int upTo) {
      DecodeTimes before = session.decodeTimes();
      while (decoded < upTo) {
        long t0 = System.nanoTime();
        float[] logits = session.step(next);
        long t1 = System.nanoTime();
        DecodeTimes after = session.decodeTimes();
        int i = decoded++;
        nanos[i] = t1 - t0;
        attendNanos[i] = after.attendNanos() - before.attendNanos();
        policyNanos[i] = after.policyNanos() - before.policyNanos();
        kvBytes[i] = after.kvBytesRead() - before.kvBytesRead();
        kinds[i] = StepKind.of(after.fullLayerSteps() - before.fullLayerSteps(), after.partialLayerSteps() - before.partialLayerSteps());
        before = after;
        next = Sampler.argmax(logits);
      }
    }

    BenchCell result(int context, List<Cell> all, double readBandwidth) {
      GenerationStats st = session.stats();
      double seconds = Arrays.stream(nanos).sum() / 1e9;
      double tps = nanos.length / seconds;
      double[] ms = Arrays.stream(nanos).mapToDouble(n -> n / 1e6).sorted().toArray();
      double fullTps = all.stream().filter(c -> c.backend.equals(backend) && c.policy.name().equals("full")).findFirst()
          .map(c -> c.nanos.length / (Arrays.stream(c.nanos).sum() / 1e9)).orElse(Double.NaN);
      int budget = policy.provider().usesBudget() ? policy.config().budget() : 0;
      long attend = Arrays.stream(attendNanos).sum();
      long pol = Arrays.stream(policyNanos).sum();
      long bytes = Arrays.stream(kvBytes).sum();
      double perToken = 1e6 * nanos.length;
      return new BenchCell(context, policy.name(), backend, budget, nanos.length, tps, percentile(ms, 0.5), percentile(ms, 0.1), percentile(ms, 0.9),
          tps / fullTps, theoretical(context + 1, budget), st.kvBytesRead() / (double) session.decodeSteps(), session.cache().stats().residentBytes(),
          st.meanTokensAttended(), stepTimes(), attend / perToken, pol / perToken, (Arrays.stream(nanos).sum() - attend - pol) / perToken,
          attend == 0 ? Double.NaN : bytes / (double) attend, readBandwidth);
    }

    /** The step-time distribution of each kind of step that occurred, in {@link StepKind} order. */
    private List<StepTimes> stepTimes() {
      List<StepTimes> out = new ArrayList<>();
      for (StepKind kind : StepKind.values()) {
        int n = 0;
        for (StepKind k : kinds) {
          n += k == kind ? 1 : 0;
        }
        if (n == 0) {
          continue;
        }
        double[] ms = new double[n];
        double attend = 0;
        double pol = 0;
        double bytes = 0;
        for (int i = 0, j = 0; i < kinds.length; i++) {
          if (kinds[i] == kind) {
            ms[j++] = nanos[i] / 1e6;
            attend += attendNanos[i] / 1e6;
            pol += policyNanos[i] / 1e6;
            bytes += kvBytes[i];
          }
        }
        double mean = Arrays.stream(ms).sum() / n;
        Arrays.sort(ms);
        out.add(new StepTimes(kind.label(), n, mean, percentile(ms, 0.5), percentile(ms, 0.1), percentile(ms, 0.9), attend / n, pol / n, bytes / n));
      }
      return out;
    }

    private double theoretical(int n, int budget) {
      String name = policy.name();
      if (name.equals("full") || budget == 0) {
        return 1;
      }
      if (name.equals("recycled")) {
        Map<String, String> v = policy.config().properties().texts();
        if ("fixed".equals(v.get("schedule"))) {
          int stride = Integer.parseInt(v.get("stride"));
          return 1 / (1.0 / stride + (double) budget / n);
        }
        return Double.NaN;
      }
      return Math.max(1, (double) n / budget);
    }
  }

  static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    double idx = p * (sorted.length - 1);
    int lo = (int) Math.floor(idx);
    int hi = (int) Math.ceil(idx);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (idx - lo);
  }
}
