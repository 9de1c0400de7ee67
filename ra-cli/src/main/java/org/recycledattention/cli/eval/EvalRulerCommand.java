package org.recycledattention.cli.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.cli.common.EvalSupport;
import org.recycledattention.cli.common.FinishedCells;
import org.recycledattention.cli.common.ModelAccessOptions;
import org.recycledattention.cli.common.Subcommand;
import org.recycledattention.cli.common.UsageException;
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

  @Option(names = "--budget-ratio", paramLabel = "R", description = "Budget K = R x length for each length; else --budget.")
  Double budgetRatio;

  @Option(names = "--filler-numbers", description = "Numbers in the haystack: a sentence with a number after every unit of RULER's noise text.")
  boolean fillerNumbers;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Task generation seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Mixin
  EvalOptions eval;

  @Mixin
  ModelAccessOptions access;

  public EvalRulerCommand(Map<String, String> environment) {
    super(environment);
  }

  @Override
  protected int run() {
    List<RulerTask> taskList = EvalSupport.names(tasks, "--tasks").stream().map(RulerTask::of).toList();
    List<Integer> lengthList = EvalSupport.positiveInts(lengths, "--lengths");
    List<String> names = eval.policyNames();
    EvalSupport.checkRatio(budgetRatio);
    if (samples < 1) {
      throw new UsageException("invalid value '" + samples + "' for --samples: expected an integer >= 1");
    }
    eval.report.check("ruler", EvalSupport.checkModel(model));
    try (RaRuntime runtime = eval.runtime(environment, EvalSupport.baseNames(names))) {
      int budget = runtime.config().budget();
      for (String p : names) {
        EvalSupport.variant(runtime, p, budget); // every name and key checked before any work
      }
      try (LanguageModel lm = EvalSupport.loadModel(model, access.access())) {
        KvCacheBackend kv = runtime.backend();
        for (int length : lengthList) {
          if (length + 64 > lm.shape().contextLength()) {
            throw new UsageException("--lengths " + length + " plus the answer does not fit the model's context length " + lm.shape().contextLength());
          }
        }
        RulerRunner runner = new RulerRunner(lm, kv, runtime.threads(), fillerNumbers).withJitWarmUp();
        FinishedCells<RulerCell> finished = new FinishedCells<>();
        status.partialReport(finished.partialReport(eval.report.dir(), "ruler", "RULER-style tasks", RulerReport::table,
            c -> Map.of("cells", c, "summary", RulerReport.summary(c)), out()));
        List<RulerCell> cells;
        List<RulerRunner.AnsweredSample> answered = new ArrayList<>();
        try (ProgressBar bar = EvalSupport.progress("ruler", (long) taskList.size() * lengthList.size() * samples)) {
          cells = runner.run(taskList, lengthList, samples, seed, n -> names.stream()
              .map(p -> EvalSupport.variant(runtime, p, EvalSupport.budgetFor(n, budgetRatio, budget))).toList(), p -> {
            bar.step();
            status.update("sample " + p.sample() + " of " + p.samples() + " of " + p.task().id() + " at length " + p.length());
          }, finished::add, answered::add);
        }
        if (!status.workDone()) {
          return 1; // interrupted: the shutdown hook has written the partial report
        }
        if (eval.report.json()) {
          out().println(EvalSupport.json(Map.of("cells", cells, "summary", RulerReport.summary(cells))));
        } else {
          out().println(RulerReport.summaryTable(RulerReport.summary(cells)));
          out().println(RulerReport.table(cells));
        }
        if (eval.report.dir() != null) {
          String command = "ra eval ruler --model " + model + " --tasks " + tasks + " --lengths " + lengths + " --samples " + samples + " --policies " + eval.policies
              + (budgetRatio != null ? " --budget-ratio " + budgetRatio : " --budget " + budget) + (fillerNumbers ? " --filler-numbers" : "");
          RulerReport.write(eval.report.dir(), "ruler", "RULER-style tasks", "Model: `" + lm.description() + "`\n\nCommand: `" + command + "`", cells,
              RulerReport.distanceTable(answered));
          RulerReport.writeAnswers(eval.report.dir().resolve(RulerReport.ANSWERS), answered);
          err().println("wrote " + eval.report.dir().resolve("ruler.json") + ", ruler.md, ruler.png, " + RulerReport.ANSWERS);
        }
      }
    }
    return 0;
  }
}
