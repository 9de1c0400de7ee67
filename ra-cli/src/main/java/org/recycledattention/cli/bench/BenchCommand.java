package org.recycledattention.cli.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import me.tongfei.progressbar.ProgressBar;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.cli.common.ConfigOptions;
import org.recycledattention.cli.common.EvalSupport;
import org.recycledattention.cli.common.PluginOptions;
import org.recycledattention.cli.common.Subcommand;
import org.recycledattention.cli.common.UsageException;
import org.recycledattention.engine.decode.PolicyFactory;
import org.recycledattention.engine.registry.Plugins;
import org.recycledattention.engine.wiring.RaRuntime;
import org.recycledattention.eval.bench.BenchCell;
import org.recycledattention.eval.bench.BenchRunner;
import org.recycledattention.eval.report.AtomicFiles;
import org.recycledattention.eval.report.Charts;
import org.recycledattention.eval.report.MarkdownTable;
import org.recycledattention.model.llama.LanguageModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ra bench}: decode tokens/s against context length, per policy and backend, prefill excluded. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Decode benchmark: fill the KV cache to each context length, then time decode steps of every policy x backend,",
        "alternating A B A B so each speedup over full attention is measured side by side. Prefill is excluded, as in the paper."})
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

  @Option(names = "--threads", paramLabel = "N", description = "Threads for the model's matrix kernels (ra.threads).")
  String threads;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the synthetic cache contents (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--json", description = "Print the cells as a JSON array instead of a table.")
  boolean json;

  @Option(names = "--out", paramLabel = "DIR", description = "Also write bench.json, bench.md and bench.png there.")
  Path out;

  @Mixin
  ConfigOptions config;

  @Mixin
  PluginOptions plugins;

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
    BenchRunner.Fill fillMode = switch (fill.toLowerCase(java.util.Locale.ROOT)) {
      case "random" -> BenchRunner.Fill.RANDOM;
      case "prefill" -> BenchRunner.Fill.PREFILL;
      default -> throw new UsageException("invalid value '" + fill + "' for --fill: expected random or prefill");
    };
    if (out != null) {
      EvalSupport.outDir(out);
    }
    List<org.recycledattention.engine.config.ConfigLayers.Setting> extra = EvalSupport.threadsSetting(threads);
    try (Plugins loaded = plugins.load(environment); RaRuntime runtime = RaRuntime.create(loaded.classLoader(), config.layers(environment, extra))) {
      for (String p : policyNames) {
        runtime.policyRegistry().get(p);
      }
      if (!policyNames.contains("full")) {
        policyNames.add(0, "full"); // the reference of every speedup
      }
      Map<String, KvCacheBackend> started = new LinkedHashMap<>();
      try (LanguageModel lm = EvalSupport.loadModel(model)) {
        for (String b : backendNames) {
          started.put(b, EvalSupport.backend(runtime, b));
        }
        int budget = runtime.config().budget();
        BenchRunner.Options options = new BenchRunner.Options(ctx, decodeTokens, rounds, fillMode, runtime.threads(), seed);
        List<BenchCell> cells;
        try (ProgressBar bar = EvalSupport.progress("bench", (long) ctx.size() * rounds)) {
          cells = new BenchRunner(lm).run(options, started, n -> {
            List<PolicyFactory> ps = new ArrayList<>();
            for (String p : policyNames) {
              ps.add(EvalSupport.policy(runtime, p, EvalSupport.budgetFor(n, budgetRatio, budget)));
            }
            return ps;
          }, p -> {
            bar.step();
            status.update("context " + p.context() + ", round " + p.round() + " of " + p.rounds() + " of the benchmark");
          });
        }
        String table = table(cells);
        out().println(json ? EvalSupport.json(cells) : table);
        if (out != null) {
          String command = "ra bench --model " + model + " --contexts " + contexts + " --policies " + policies + " --backends " + backends
              + (budgetRatio != null ? " --budget-ratio " + budgetRatio : " --budget " + budget) + " --decode-tokens " + decodeTokens;
          EvalSupport.writeJson(out.resolve("bench.json"), cells);
          AtomicFiles.writeString(out.resolve("bench.md"), "# Decode benchmark\n\nModel: `" + lm.description() + "`\n\nCommand: `" + command + "`\n\n" + table);
          Charts.lineChart(out.resolve("bench.png"), "Decode speed vs context (" + model + ")", "context (tokens)", "decode tokens/s", series(cells),
              ctx.stream().mapToInt(Integer::intValue).max().orElse(1) >= 10L * ctx.stream().mapToInt(Integer::intValue).min().orElse(1));
          err().println("wrote " + out.resolve("bench.json") + ", bench.md, bench.png");
        }
      } finally {
        for (KvCacheBackend b : started.values()) {
          b.close();
        }
      }
    }
    return 0;
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
