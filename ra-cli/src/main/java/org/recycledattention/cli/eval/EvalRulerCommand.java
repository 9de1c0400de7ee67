package org.recycledattention.cli.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.recycledattention.eval.ruler.RulerCell;
import org.recycledattention.eval.ruler.RulerRunner;
import org.recycledattention.eval.ruler.RulerTask;
import org.recycledattention.model.llama.LanguageModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ra eval ruler}: RULER-style tasks, accuracy and decode speed per task x length x policy. */
@Command(name = "ruler", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"RULER-style tasks generated for the model's tokenizer: accuracy (string_match_all) and decode speed per task x length x policy."})
public final class EvalRulerCommand extends Subcommand {
  @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model that carries a tokenizer.")
  String model;

  @Option(names = "--tasks", paramLabel = "NAMES", defaultValue = "niah_single,niah_multikey,niah_multivalue,niah_multiquery,vt,cwe,fwe",
      description = "Tasks (default: ${DEFAULT-VALUE}).")
  String tasks;

  @Option(names = "--lengths", paramLabel = "N,N", defaultValue = "2048,4096,8192", description = "Prompt lengths in tokens (default: ${DEFAULT-VALUE}).")
  String lengths;

  @Option(names = "--samples", paramLabel = "N", defaultValue = "10", description = "Samples per task and length (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--policies", paramLabel = "NAMES", defaultValue = "full,local,h2o,snapkv,recycled", description = "Policies (default: ${DEFAULT-VALUE}).")
  String policies;

  @Option(names = "--budget-ratio", paramLabel = "R", description = "Budget K = R x length for each length; else --budget.")
  Double budgetRatio;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Task generation seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--threads", paramLabel = "N", description = "Threads for the model's matrix kernels (ra.threads).")
  String threads;

  @Option(names = "--json", description = "Print JSON instead of tables.")
  boolean json;

  @Option(names = "--out", paramLabel = "DIR", description = "Also write ruler.json, ruler.md and ruler.png there.")
  Path out;

  @Mixin
  ConfigOptions config;

  @Mixin
  PluginOptions plugins;

  public EvalRulerCommand(Map<String, String> environment) {
    super(environment);
  }

  @Override
  protected int run() {
    List<RulerTask> taskList = EvalSupport.names(tasks, "--tasks").stream().map(RulerTask::of).toList();
    List<Integer> lengthList = EvalSupport.positiveInts(lengths, "--lengths");
    List<String> names = EvalSupport.names(policies, "--policies");
    EvalSupport.checkRatio(budgetRatio);
    if (samples < 1) {
      throw new UsageException("invalid value '" + samples + "' for --samples: expected an integer >= 1");
    }
    if (out != null) {
      EvalSupport.outDir(out);
    }
    List<org.recycledattention.engine.config.ConfigLayers.Setting> extra = EvalSupport.threadsSetting(threads);
    try (Plugins loaded = plugins.load(environment); RaRuntime runtime = RaRuntime.create(loaded.classLoader(), config.layers(environment, extra))) {
      for (String p : names) {
        runtime.policyRegistry().get(p);
      }
      int budget = runtime.config().budget();
      try (LanguageModel lm = EvalSupport.loadModel(model); KvCacheBackend backend = EvalSupport.backend(runtime, runtime.config().backendName())) {
        for (int length : lengthList) {
          if (length + 64 > lm.shape().contextLength()) {
            throw new UsageException("--lengths " + length + " plus the answer does not fit the model's context length " + lm.shape().contextLength());
          }
        }
        List<RulerCell> cells;
        try (ProgressBar bar = EvalSupport.progress("ruler", (long) taskList.size() * lengthList.size() * samples)) {
          cells = new RulerRunner(lm, backend, runtime.threads()).run(taskList, lengthList, samples, seed,
              n -> names.stream().map(p -> EvalSupport.policy(runtime, p, EvalSupport.budgetFor(n, budgetRatio, budget))).toList(), p -> {
              bar.step();
              status.update("sample " + p.sample() + " of " + p.samples() + " of " + p.task().id() + " at length " + p.length());
            });
        }
        if (json) {
          out().println(EvalSupport.json(Map.of("cells", cells, "summary", RulerReport.summary(cells))));
        } else {
          out().println(RulerReport.summaryTable(RulerReport.summary(cells)));
          out().println(RulerReport.table(cells));
        }
        if (out != null) {
          String command = "ra eval ruler --model " + model + " --tasks " + tasks + " --lengths " + lengths + " --samples " + samples + " --policies " + policies
              + (budgetRatio != null ? " --budget-ratio " + budgetRatio : " --budget " + budget);
          RulerReport.write(out, "ruler", "RULER-style tasks", "Model: `" + lm.description() + "`\n\nCommand: `" + command + "`", cells);
          err().println("wrote " + out.resolve("ruler.json") + ", ruler.md, ruler.png");
        }
      }
    }
    return 0;
  }
}
