package org.recycledattention.train.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import me.tongfei.progressbar.ProgressBar;
import org.recycledattention.cli.common.EvalSupport;
import org.recycledattention.cli.common.Subcommand;
import org.recycledattention.cli.common.UsageException;
import org.recycledattention.eval.ruler.RulerTask;
import org.recycledattention.model.io.OutputFiles;
import org.recycledattention.model.tensor.GgmlType;
import org.recycledattention.train.ProbeExporter;
import org.recycledattention.train.ProbeGeometry;
import org.recycledattention.train.ProbeTrainer;
import org.recycledattention.train.ProbeVocabulary;
import org.recycledattention.train.ProbeWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ra train-probe}: trains the retrieval probe model (DJL PyTorch, CPU) and writes it as GGUF. */
@Command(name = "train-probe", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Train the retrieval probe model on generated RULER-style retrieval tasks and write it as GGUF.",
        "The model is a small Llama (RMSNorm, RoPE, GQA, SwiGLU), trained with DJL's PyTorch engine on the CPU. The defaults",
        "rerun the shipped model's recipe (libtorch's CPU training is not bit-for-bit repeatable)."})
public final class TrainProbeCommand extends Subcommand {
  @Option(names = "--out", required = true, paramLabel = "F.gguf", description = "Where to write the model.")
  Path out;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Data and initialisation seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--steps", paramLabel = "N", defaultValue = "" + TrainProbeCommand.DEFAULT_STEPS, description = "Optimiser steps (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--batch", paramLabel = "B", defaultValue = "" + ProbeTrainer.DEFAULT_BATCH, description = "Sequences per step (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--max-length", paramLabel = "T", defaultValue = "" + ProbeTrainer.DEFAULT_MAX_LENGTH,
      description = "Longest training prompt in tokens, where the length curriculum ends (default: ${DEFAULT-VALUE}).")
  int maxLength;

  @Option(names = "--learning-rate", paramLabel = "LR", defaultValue = "" + ProbeTrainer.DEFAULT_LEARNING_RATE, description = "Peak Adam learning rate (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--tasks", paramLabel = "NAMES", defaultValue = ProbeTrainer.DEFAULT_TASK_IDS,
      description = "Comma-separated RULER-style tasks to train on, joining the curriculum in this order (default: ${DEFAULT-VALUE}).")
  String tasks;

  @Option(names = "--type", paramLabel = "TYPE", defaultValue = "f16", description = "Weight type of the written matrices: f32 or f16 (default: ${DEFAULT-VALUE}).")
  String type;

  static final int DEFAULT_STEPS = 4000;
  /** Steps between two log lines when stderr is not a terminal. */
  static final int LOG_EVERY = 25;

  public TrainProbeCommand(Map<String, String> environment) {
    super(environment);
  }

  @Override
  protected int run() {
    if (steps < 1 || batch < 1) {
      throw new UsageException("--steps and --batch must be >= 1");
    }
    if (maxLength < 256 || maxLength > ProbeGeometry.DEFAULT.context() - 64) {
      throw new UsageException("invalid value '" + maxLength + "' for --max-length: expected 256.." + (ProbeGeometry.DEFAULT.context() - 64));
    }
    GgmlType t = switch (type.toLowerCase(Locale.ROOT)) {
      case "f32" -> GgmlType.F32;
      case "f16" -> GgmlType.F16;
      default -> throw new UsageException("invalid value '" + type + "' for --type: expected f32 or f16");
    };
    // before hours of training: never a directory, FIFO or device, never through a symbolic link out of its folder
    OutputFiles.check(out, List.of(), "--out");
    ProbeTrainer trainer = new ProbeTrainer(ProbeGeometry.DEFAULT, ProbeVocabulary.build());
    ProbeTrainer.Options options = new ProbeTrainer.Options(steps, batch, ProbeTrainer.DEFAULT_MIN_LENGTH, maxLength, seed, learningRate,
        EvalSupport.names(tasks, "--tasks").stream().map(RulerTask::of).toList());
    ProbeWeights weights;
    double[] last = {Double.NaN, 0, 0};
    // Ctrl-C: libtorch crashes if the JVM exits while a step runs in native code, so the shutdown
    // waits (a few seconds at most) for the loop to leave the current step.
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch left = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.set(true);
      try {
        left.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "ra-train-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try (ProgressBar bar = EvalSupport.progress("train-probe", steps)) {
      weights = trainer.train(options, log -> {
        last[0] = log.loss();
        last[1] = log.tokenAccuracy();
        last[2] = log.skippedSteps();
        bar.step();
        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.3f answer-token accuracy %.2f, curriculum %d tasks up to %d tokens", log.loss(),
            log.tokenAccuracy(), log.curriculumTasks(), log.curriculumLength()));
        status.update(log.step() + " of " + steps + " training steps");
        if (System.console() == null && (log.step() % LOG_EVERY == 0 || log.step() == steps)) {
          // no terminal for the bar (a log file, CI): a plain line now and then
          err().println(String.format(Locale.ROOT, "step %d of %d: loss %.4f, answer-token accuracy %.3f, curriculum %d tasks up to %d tokens",
              log.step(), steps, log.loss(), log.tokenAccuracy(), log.curriculumTasks(), log.curriculumLength()));
        }
      }, stop::get);
    } finally {
      left.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already shutting down: the hook is running and has just been released
      }
    }
    ProbeExporter.write(weights, out, t);
    err().println(String.format(Locale.ROOT, "wrote %s: %d steps (%d skipped for a non-finite gradient), final loss %.4f, answer-token accuracy %.3f", out,
        steps, (int) last[2], last[0], last[1]));
    return 0;
  }
}
