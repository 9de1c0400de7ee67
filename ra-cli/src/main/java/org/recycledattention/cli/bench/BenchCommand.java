package org.recycledattention.cli.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import me.tongfei.progressbar.ProgressBar;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.cli.common.ConfigOptions;
import org.recycledattention.cli.common.EvalSupport;
import org.recycledattention.cli.common.FinishedCells;
import org.recycledattention.cli.common.ModelAccessOptions;
import org.recycledattention.cli.common.ReportOptions;
import org.recycledattention.cli.common.Subcommand;
import org.recycledattention.cli.common.ThreadsOption;
import org.recycledattention.cli.common.UsageException;
import org.recycledattention.engine.wiring.RaRuntime;
import org.recycledattention.eval.bench.BenchCell;
import org.recycledattention.eval.bench.BenchRunner;
import org.recycledattention.eval.bench.ReadBandwidth;
import org.recycledattention.eval.bench.StepTimes;
import org.recycledattention.eval.report.AtomicFiles;
import org.recycledattention.eval.report.Charts;
import org.recycledattention.eval.report.MarkdownTable;
import org.recycledattention.model.llama.LanguageModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ra bench}: decode tokens/s against context length, per policy and backend, prefill excluded. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Decode benchmark: tokens/s against context length for every policy x backend, prefill excluded.",
        "Fills the KV cache to each context length, then times decode steps, alternating A B A B so that each speedup",
        "over full attention is measured side by side. Prefill is excluded, as in the paper."})
public final class BenchCommand extends Subcommand {
  @Option(names = "--model", required = true, paramLabel = "FILE|synthetic:SPEC",
      description = "A model file, or synthetic:PRESET / synthetic:key=value,... (presets: bench-small, llama-3.2-1b, tiny).")
  String model;

  @Option(names = "--contexts", paramLabel = "N,N,...", defaultValue = "1024,4096,16384,32768", description = "Cache depths (default: ${DEFAULT-VALUE}).")
  String contexts;

  @Option(names = "--policies", paramLabel = "NAMES", defaultValue = "full,recycled", description = "Policies, comma-separated (default: ${DEFAULT-VALUE}).")
  String policies;

  @Option(names = "--backends", paramLabel = "NAMES", defaultValue = "cpu", description = "Backends, comma-separated (default: ${DEFAULT-VALUE}).")
  String backends;

  @Option(names = "--budget-ratio", paramLabel = "R", description = "Budget K = R x context for each context (the paper's K = L/8 is 0.125); else --budget.")
  Double budgetRatio;

  @Option(names = "--decode-tokens", paramLabel = "N", defaultValue = "64", description = "Decode steps per cell (default: ${DEFAULT-VALUE}).")
  int decodeTokens;

  @Option(names = "--rounds", paramLabel = "R", defaultValue = "4", description = "Rounds the decode steps are split into, cells alternating (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--fill", paramLabel = "MODE", defaultValue = "random",
      description = "random: append synthetic K/V (like a prefilled prompt); prefill: run the real prompt (default: ${DEFAULT-VALUE}).")
  String fill;

  @Mixin
  ThreadsOption threads;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the synthetic cache contents (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--bandwidth", description = {"Also measure the machine's read bandwidth (threads summing a 512 MiB array) before and after",
      "the cells, and report each cell's attention read rate as a share of it."})
  boolean bandwidth;

  @Mixin
  ReportOptions report;

  @Mixin
  ConfigOptions config;

  @Mixin
  ModelAccessOptions access;

  public BenchCommand(Map<String, String> environment) {
    super(environment);
  }

  @Override
  protected int run() {
    List<Integer> ctx = EvalSupport.positiveInts(contexts, "--contexts");
    List<String> policyNames = EvalSupport.names(policies, "--policies");
    List<String> backendNames = EvalSupport.names(backends, "--backends");
    EvalSupport.checkRatio(budgetRatio);
    if (decodeTokens < 1 || rounds < 1 || rounds > decodeTokens) {
      throw new UsageException("--decode-tokens (" + decodeTokens + ") and --rounds (" + rounds + ") must satisfy decode-tokens >= rounds >= 1");
    }
    BenchRunner.Fill fillMode = switch (fill.toLowerCase(Locale.ROOT)) {
      case "random" -> BenchRunner.Fill.RANDOM;
      case "prefill" -> BenchRunner.Fill.PREFILL;
      default -> throw new UsageException("invalid value '" + fill + "' for --fill: expected random or prefill");
    };
    report.check("bench", EvalSupport.checkModel(model));
    try (RaRuntime runtime = config.runtime(environment, threads.settings())) {
      if (!policyNames.contains("full")) {
        policyNames.add(0, "full"); // the reference of every speedup
      }
      runtime.checkSelection(policyNames, backendNames, "--backends");
      Map<String, KvCacheBackend> started = new LinkedHashMap<>();
      try (LanguageModel lm = EvalSupport.loadModel(model, access.access())) {
        int budget = runtime.config().budget();
        double before = bandwidth ? measureBandwidth(runtime.threads()) : Double.NaN;
        BenchRunner.Options options = new BenchRunner.Options(ctx, decodeTokens, rounds, fillMode, runtime.threads(), seed, before);
        BenchRunner runner = new BenchRunner(lm);
        runner.check(options); // every context fits the model, before any backend starts
        for (String b : backendNames) {
          started.put(b, runtime.backend(b));
        }
        FinishedCells<BenchCell> finished = new FinishedCells<>();
        status.partialReport(finished.partialReport(report.dir(), "bench", "Decode benchmark", BenchCommand::table, c -> Map.of("cells", c), out()));
        List<BenchCell> cells;
        try (ProgressBar bar = EvalSupport.progress("bench", (long) ctx.size() * rounds)) {
          cells = runner.run(options, started, n -> runtime.policyFactories(policyNames, EvalSupport.budgetFor(n, budgetRatio, budget)), p -> {
            bar.step();
            status.update("context " + p.context() + ", round " + p.round() + " of " + p.rounds() + " of the benchmark");
          }, finished::add);
        }
        if (!status.workDone()) {
          return 1; // interrupted: the shutdown hook has written the partial report
        }
        String table = table(cells) + "\n" + stepTable(cells);
        if (bandwidth) {
          double after = measureBandwidth(runtime.threads());
          String line = "read bandwidth (" + runtime.threads() + " threads summing 512 MiB, best of 5): " + EvalSupport.fmt(before, 1)
              + " GB/s before the cells, " + EvalSupport.fmt(after, 1) + " GB/s after";
          table = table + "\n" + line + "\n";
          if (report.json()) {
            err().println(line);
          }
        }
        out().println(report.json() ? EvalSupport.json(cells) : table);
        if (report.dir() != null) {
          String command = "ra bench --model " + model + " --contexts " + contexts + " --policies " + policies + " --backends " + backends
              + (budgetRatio != null ? " --budget-ratio " + budgetRatio : " --budget " + budget) + " --decode-tokens " + decodeTokens;
          EvalSupport.writeJson(report.dir().resolve("bench.json"), cells);
          AtomicFiles.writeString(report.dir().resolve("bench.md"), "# Decode benchmark\n\nModel: `" + lm.description() + "`\n\nCommand: `" + command + "`\n\n" + table);
          Charts.lineChart(report.dir().resolve("bench.png"), "Decode speed vs context (" + model + ")", "context (tokens)", "decode tokens/s", series(cells),
              ctx.stream().mapToInt(Integer::intValue).max().orElse(1) >= 10L * ctx.stream().mapToInt(Integer::intValue).min().orElse(1));
          err().println("wrote " + report.dir().resolve("bench.json") + ", bench.md, bench.png");
        }
      }
    }
    return 0;
  }

  private double measureBandwidth(int threads) {
    status.update("measuring the read bandwidth");
    return ReadBandwidth.measure(threads, ReadBandwidth.DEFAULT_BYTES / (4L * threads) * (4L * threads), 5);
  }

  /**
   * Where each cell's decode time went, per kind of step: mean, median and spread, the KV cache's
   * attention and the policy's share, bytes read and the attention's read rate (with its share of
   * the measured bandwidth, when there is one).
   */
  static String stepTable(List<BenchCell> cells) {
    MarkdownTable t = new MarkdownTable("backend", "policy", ">context", "steps", ">n", ">ms mean", ">ms median (p10-p90)", ">attention ms",
        ">policy ms", ">KV MB read", ">attention GB/s");
    for (BenchCell c : cells) {
      for (StepTimes s : c.stepTimes()) {
        double rate = s.attentionMsMean() > 0 ? s.kvBytesRead() / (s.attentionMsMean() * 1e6) : Double.NaN;
        String share = Double.isNaN(c.readBandwidthGbPerS()) || Double.isNaN(rate) ? "" : " (" + EvalSupport.fmt(100 * rate / c.readBandwidthGbPerS(), 0) + "%)";
        t.row(c.backend(), c.policy(), c.context(), s.kind(), s.steps(), EvalSupport.fmt(s.msMean(), 2),
            EvalSupport.fmt(s.msMedian(), 2) + " (" + EvalSupport.fmt(s.msP10(), 2) + "-" + EvalSupport.fmt(s.msP90(), 2) + ")",
            EvalSupport.fmt(s.attentionMsMean(), 2), EvalSupport.fmt(s.policyMsMean(), 2), EvalSupport.fmt(s.kvBytesRead() / 1e6, 2),
            EvalSupport.fmt(rate, 1) + share);
      }
    }
    return t.toMarkdown();
  }

  static String table(List<BenchCell> cells) {
    MarkdownTable t = new MarkdownTable("backend", "policy", ">context", ">K", ">tok/s", ">ms/tok (p10-p90)", ">speedup", ">bound", ">KV MB read/tok", ">resident KV MB");
    for (BenchCell c : cells) {
      t.row(c.backend(), c.policy(), c.context(), c.budget() == 0 ? "-" : Integer.toString(c.budget()), EvalSupport.fmt(c.tokensPerSecond(), 1),
          EvalSupport.fmt(c.msPerTokenMedian(), 2) + " (" + EvalSupport.fmt(c.msPerTokenP10(), 2) + "-" + EvalSupport.fmt(c.msPerTokenP90(), 2) + ")",
          EvalSupport.ratio(c.speedupVsFull()), EvalSupport.ratio(c.theoreticalSpeedup()), EvalSupport.fmt(c.kvBytesReadPerToken() / 1e6, 2),
          EvalSupport.fmt(c.residentKvBytes() / 1e6, 1));
    }
    return t.toMarkdown();
  }

  private static List<Charts.Series> series(List<BenchCell> cells) {
    Map<String, List<BenchCell>> byLine = new TreeMap<>();
    for (BenchCell c : cells) {
      byLine.computeIfAbsent(c.policy() + " / " + c.backend(), k -> new ArrayList<>()).add(c);
    }
    List<Charts.Series> out = new ArrayList<>();
    byLine.forEach((name, cs) -> out.add(new Charts.Series(name, cs.stream().map(c -> (double) c.context()).toList(),
        cs.stream().map(BenchCell::tokensPerSecond).toList())));
    return out;
  }
}
