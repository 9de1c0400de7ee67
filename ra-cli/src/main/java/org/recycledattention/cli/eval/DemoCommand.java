package org.recycledattention.cli.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.recycledattention.api.RaException;
import org.recycledattention.cli.common.BackendOption;
import org.recycledattention.cli.common.ConfigOptions;
import org.recycledattention.cli.common.EvalSupport;
import org.recycledattention.cli.common.FinishedCells;
import org.recycledattention.cli.common.Inputs;
import org.recycledattention.cli.common.ModelAccessOptions;
import org.recycledattention.cli.common.Subcommand;
import org.recycledattention.cli.common.UsageException;
import org.recycledattention.engine.config.ConfigLayers.Setting;
import org.recycledattention.engine.config.ConfigSource;
import org.recycledattention.engine.wiring.Models;
import org.recycledattention.engine.wiring.RaRuntime;
import org.recycledattention.eval.ruler.RulerCell;
import org.recycledattention.eval.ruler.RulerPolicy;
import org.recycledattention.eval.ruler.RulerRunner;
import org.recycledattention.eval.ruler.RulerTask;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.probe.ShippedProbe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ra demo}: the built-in retrieval probe model on two RULER-style tasks at two lengths, every
 * built-in policy at one equal budget: accuracy and decode speedup per policy, with a report.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Needle-in-a-haystack retrieval on the built-in probe model, every built-in policy at one equal budget.",
        "Runs full, local, h2o, snapkv and recycled attention; prints accuracy and decode speedup per policy;",
        "writes demo.json, demo.md and demo.png."})
public final class DemoCommand extends Subcommand {
  public static final List<RulerTask> TASKS = List.of(RulerTask.NIAH_SINGLE, RulerTask.NIAH_MULTIKEY, RulerTask.NIAH_MULTIQUERY);
  public static final List<Integer> LENGTHS = List.of(512, 1024);
  public static final List<String> POLICIES = List.of("full", "local", "h2o", "snapkv", "recycled");
  public static final int BUDGET = 64;
  /**
   * The demo's settings, each applied only where the user left the key at its built-in default
   * (a --budget, --set, RA_* variable or --config file value wins): the budget, and Recycled
   * Attention at the stride the paper uses.
   */
  public static final Map<String, String> SETTINGS = Map.of("ra.budget", Integer.toString(BUDGET), "ra.policy.recycled.stride", "5");

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "ra-demo-out", description = "Where to write demo.json, demo.md, demo.png (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--samples", paramLabel = "N", defaultValue = "12", description = "Samples per task and length (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--model", paramLabel = "FILE", description = "Use this model instead of the built-in probe (it must carry a tokenizer).")
  Path model;

  @Mixin
  ConfigOptions config;

  @Mixin
  BackendOption backend;

  @Mixin
  ModelAccessOptions access;

  public DemoCommand(Map<String, String> environment) {
    super(environment);
  }

  /** The recycled policy's keys as configured: {@code schedule=fixed, stride=5, ...}. */
  static String recycledSettings(RaRuntime runtime) {
    StringBuilder sb = new StringBuilder();
    runtime.config().policy("recycled").texts().forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append('=').append(v));
    return sb.toString();
  }

  /** {@link #SETTINGS}, each only for a key the user did not set. */
  private List<Setting> demoSettings() {
    List<Setting> demo = new ArrayList<>();
    try (RaRuntime user = config.runtime(environment, backend.settings())) {
      SETTINGS.forEach((key, value) -> {
        if (user.configuration().entries().get(key).source() == ConfigSource.DEFAULT) {
          demo.add(new Setting(key, value, "the demo's setting"));
        }
      });
    }
    return demo;
  }

  @Override
  protected int run() throws IOException {
    if (samples < 1) {
      throw new UsageException("invalid value '" + samples + "' for --samples: expected an integer >= 1");
    }
    EvalSupport.outDir(out, model == null ? List.of() : Inputs.modelFiles(model), "demo.json", "demo.md", "demo.png");
    Path file = model;
    Path extracted = null;
    if (file == null) {
      extracted = Files.createTempFile("ra-probe-", ".gguf");
      if (!ShippedProbe.copyTo(extracted)) {
        Files.deleteIfExists(extracted);
        throw new RaException("the built-in probe model (" + ShippedProbe.RESOURCE + ") is not in this build (ra-probe's jar is missing from the"
            + " class path); rebuild with 'mvn -DskipTests install', or train one with 'ra train-probe --out probe.gguf' and pass it with --model");
      }
      file = extracted;
    } else {
      Inputs.checkModelPath(file);
    }
    try (RaRuntime runtime = config.runtime(environment, demoSettings(), backend.settings());
        LanguageModel lm = Models.load(file, access.access())) {
      runtime.checkPolicies(POLICIES);
      int budget = runtime.config().budget();
      for (int length : LENGTHS) {
        if (length + 64 > lm.shape().contextLength()) {
          throw new UsageException("the demo's length " + length + " plus the answer does not fit the model's context length "
              + lm.shape().contextLength() + "; pass a model with a context of at least " + (LENGTHS.getLast() + 64) + " tokens");
        }
      }
      long t0 = System.nanoTime();
      RulerRunner runner = new RulerRunner(lm, runtime.backend(), runtime.threads()).withJitWarmUp();
      FinishedCells<RulerCell> finished = new FinishedCells<>();
      status.partialReport(finished.partialReport(out, "demo", "Recycled Attention demo: retrieval at equal budget", RulerReport::table,
          c -> Map.of("cells", c, "summary", RulerReport.summary(c)), out()));
      List<RulerCell> cells;
      try (ProgressBar bar = EvalSupport.progress("demo", (long) TASKS.size() * LENGTHS.size() * samples)) {
        cells = runner.run(TASKS, LENGTHS, samples, 1, n -> runtime.policyFactories(POLICIES, budget).stream().map(RulerPolicy::of).toList(), p -> {
          bar.step();
          status.update("sample " + p.sample() + " of " + p.samples() + " of " + p.task().id() + " at length " + p.length());
        }, finished::add);
      }
      if (!status.workDone()) {
        return 1; // interrupted: the shutdown hook has written the partial report
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      String header = "Model: " + (model == null ? "the built-in retrieval probe, " : "") + "`" + lm.description() + "`\n\nTasks " + TASKS.stream().map(RulerTask::id).toList() + " at lengths " + LENGTHS + ", "
          + samples + " samples each, budget K = " + budget + " for every policy but full, backend " + runtime.config().backendName()
          + String.format(Locale.ROOT, "; %.0f s.", seconds) + " Recycled Attention: " + recycledSettings(runtime) + ". \"full steps\" is the share of decode"
          + " steps (per layer) that read the whole context.\n\nCommand: `./ra demo" + (model != null ? " --model " + model : "") + "`";
      out().println(RulerReport.summaryTable(RulerReport.summary(cells)));
      out().println(RulerReport.table(cells));
      RulerReport.write(out, "demo", "Recycled Attention demo: retrieval at equal budget", header, cells);
      err().println("wrote " + out.resolve("demo.json") + ", demo.md, demo.png");
    } finally {
      if (extracted != null) {
        Files.deleteIfExists(extracted);
      }
    }
    return 0;
  }
}
