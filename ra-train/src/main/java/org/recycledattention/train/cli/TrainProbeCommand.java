package org.recycledattention.train.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import me.tongfei.progressbar.ProgressBar;
import org.recycledattention.cli.common.EvalSupport;
import org.recycledattention.cli.common.Inputs;
import org.recycledattention.cli.common.Subcommand;
import org.recycledattention.cli.common.UsageException;
import org.recycledattention.cli.eval.DemoCommand;
import org.recycledattention.engine.config.ConfigLayers;
import org.recycledattention.engine.config.ConfigLayers.Setting;
import org.recycledattention.engine.decode.PolicyFactory;
import org.recycledattention.engine.wiring.RaRuntime;
import org.recycledattention.eval.ruler.RulerGenerator;
import org.recycledattention.eval.ruler.RulerTask;
import org.recycledattention.model.io.OutputFiles;
import org.recycledattention.model.tensor.GgmlType;
import org.recycledattention.train.ProbeExporter;
import org.recycledattention.train.ProbeGeometry;
import org.recycledattention.train.ProbeReader;
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

  @Option(names = "--min-length", paramLabel = "T", defaultValue = "" + ProbeTrainer.DEFAULT_MIN_LENGTH,
      description = "Shortest training prompt in tokens, where the length curriculum starts (default: ${DEFAULT-VALUE}).")
  int minLength;

  @Option(names = "--max-length", paramLabel = "T", defaultValue = "" + ProbeTrainer.DEFAULT_MAX_LENGTH,
      description = "Longest training prompt in tokens, where the length curriculum ends (default: ${DEFAULT-VALUE}).")
  int maxLength;

  @Option(names = "--learning-rate", paramLabel = "LR", defaultValue = "" + ProbeTrainer.DEFAULT_LEARNING_RATE, description = "Peak Adam learning rate (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--tasks", paramLabel = "NAMES", defaultValue = ProbeTrainer.DEFAULT_TASK_IDS,
      description = {"Comma-separated RULER-style tasks to train on, joining the curriculum in this order (default: ${DEFAULT-VALUE}); also the",
          "training tasks induction (a list of values to repeat: copying), recall (2-8 keys, each asked in turn: key matching)",
          "and echo (recall asked in the needles' own words: the first rung of key matching). The newest task let in (the last",
          "once all are) takes half of every batch; all of them share the other half."})
  String tasks;

  @Option(names = "--type", paramLabel = "TYPE", defaultValue = "f16", description = "Weight type of the written matrices: f32 or f16 (default: ${DEFAULT-VALUE}).")
  String type;

  @Option(names = "--train-policy", paramLabel = "NAME", defaultValue = "full",
      description = {"Attention the answer tokens train with (default: ${DEFAULT-VALUE}): each answer token attends what this policy lets its decode step",
          "attend (recycled: the top-K chosen at the last full step, refreshed as decoding refreshes it; snapkv: the prompt-end top-K), with its keys",
          "from --budget and --set; the choice is not differentiated, the attention over it is. full, recycled, snapkv and local can be replayed."})
  String trainPolicy;

  @Option(names = "--budget", paramLabel = "K", defaultValue = "" + DemoCommand.BUDGET,
      description = "The budget K of --train-policy (ra.budget; default: ${DEFAULT-VALUE}, the demo's).")
  String budget;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A key of --train-policy, e.g. --set ra.policy.recycled.stride=10 (repeatable).")
  List<String> set = new ArrayList<>();

  @Option(names = "--init", paramLabel = "F.gguf",
      description = "Continue training this probe model (continued pre-training; its geometry wins over --geometry); the curriculum then starts with every task at --max-length.")
  Path init;

  @Option(names = "--curriculum-start", paramLabel = "N:T",
      description = "Start the curriculum with the first N tasks of --tasks let in and prompts up to T tokens (to resume a run from a checkpoint with --init).")
  String curriculumStart;

  @Option(names = "--keys-start", paramLabel = "N", defaultValue = "" + RulerGenerator.KEYS,
      description = {"The distractor curriculum: niah_multikey, niah_multiquery and recall samples start with",
          "N needles of different keys and get one more each time the curriculum advances once every task",
          "has joined, up to RULER's " + RulerGenerator.KEYS + " (recall then 2-8); the prompts grow only after that",
          "(default: ${DEFAULT-VALUE}, none)."})
  int keysStart;

  @Option(names = "--competence", paramLabel = "P", defaultValue = "" + ProbeTrainer.COMPETENCE,
      description = {"The curriculum advances (next task, next key, longer prompts) when the running share of whole",
          "answers right passes P (0 < P <= 1; default: ${DEFAULT-VALUE}). Lower lets the prompts grow while a hard",
          "task of the mix is still being learnt; 1 holds the curriculum at its start (a replay of a frozen checkpoint)."})
  double competence;

  @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "0",
      description = "Also write the model every N steps, as F.step-N.gguf beside --out (default: ${DEFAULT-VALUE}, never).")
  int checkpointEvery;

  @Option(names = "--curves", paramLabel = "F.png",
      description = "Also write the training curves: F.png (running share of right answers per task, prompt length) and F.csv (every step).")
  Path curves;

  @Option(names = "--filler-numbers", description = "Numbers in the haystack (a sentence with a number after every unit of RULER's noise text),"
      + " so that a needle's value is not the only number in the prompt.")
  boolean fillerNumbers;

  @Option(names = "--keyed-values", paramLabel = "P", defaultValue = "0",
      description = {"Draw a share P (0..1) of the training samples with keyed values: in niah_*, recall and echo a",
          "needle's value begins with a digit pair fixed by its key's first word, so the asked key alone predicts",
          "the answer's first pair (a reason to represent the key on both sides of a lookup; default: ${DEFAULT-VALUE}, none)."})
  double keyedValues;

  @Option(names = "--adjacent-keys", paramLabel = "P", defaultValue = "0",
      description = {"Draw a share P (0..1) of the training samples with adjacent keys: in recall and echo each value",
          "follows its key directly (no 'is:' between), so the lookup is a plain induction head's",
          "(associative recall: a first stage of key matching; default: ${DEFAULT-VALUE}, none)."})
  double adjacentKeys;

  @Option(names = "--colon-keys", paramLabel = "P", defaultValue = "0",
      description = {"Draw a share P (0..1) of the training samples with a colon between key and value in recall and",
          "echo ('for K: V.'; with --adjacent-keys at most 1 in all): a step between adjacent keys and the",
          "tasks' own words (default: ${DEFAULT-VALUE}, none)."})
  double colonKeys;

  @Option(names = "--geometry", paramLabel = "SPEC", defaultValue = "",
      description = "The model's shape as keys over the default (" + "layers=4,dim=128,heads=4,kv-heads=2,head-dim=32,ffn=384" + "), e.g. heads=8,kv-heads=4.")
  String geometry;

  @Option(names = "--rope-theta", paramLabel = "BASE",
      description = {"RoPE base of the trained model (default: --init's, else 10000). With --init, the model continues with this base:",
          "a larger one (e.g. 500000) leaves more of each head's dimensions nearly unrotated across a long prompt, for matching by content."})
  Double ropeTheta;

  static final int DEFAULT_STEPS = 4000;

  /** The checkpoint of {@code out} after {@code step} steps: {@code F.step-N.gguf}. */
  static Path checkpoint(Path out, int step) {
    String name = out.getFileName().toString();
    String base = name.endsWith(".gguf") ? name.substring(0, name.length() - ".gguf".length()) : name;
    return out.resolveSibling(base + ".step-" + step + ".gguf");
  }

  /** The policy of --train-policy with its keys, or null for full attention (no replay needed). */
  private PolicyFactory trainingPolicy() {
    List<Setting> settings = new ArrayList<>();
    for (String s : set) {
      settings.add(Setting.parse(s));
    }
    settings.add(new Setting("ra.budget", budget, "--budget"));
    settings.add(new Setting("ra.policy", trainPolicy, "--train-policy"));
    try (RaRuntime runtime = RaRuntime.create(TrainProbeCommand.class.getClassLoader(), new ConfigLayers(Optional.empty(), environment, settings))) {
      PolicyFactory p = runtime.policyFactory(trainPolicy, runtime.config().budget());
      return p.name().equals("full") ? null : p;
    }
  }

  /** The running share of right answers per task, for the log: {@code niah_single 0.98, ...}. */
  private static String perTask(ProbeTrainer.StepLog log) {
    StringBuilder sb = new StringBuilder();
    log.taskAccuracy().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> sb.append(sb.isEmpty() ? "" : ", ").append(e.getKey().id())
        .append(' ').append(String.format(Locale.ROOT, "%.2f", e.getValue())));
    return sb.toString();
  }
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
    if (keysStart < 1 || keysStart > RulerGenerator.KEYS) {
      throw new UsageException("invalid value '" + keysStart + "' for --keys-start: expected 1.." + RulerGenerator.KEYS);
    }
    if (!(competence > 0 && competence <= 1)) {
      throw new UsageException("invalid value '" + competence + "' for --competence: expected a share above 0 and at most 1, such as 0.8 (1 holds the curriculum)");
    }
    requireShare(keyedValues, "--keyed-values", "0.5");
    requireShare(adjacentKeys, "--adjacent-keys", "0.5");
    requireShare(colonKeys, "--colon-keys", "0.3");
    if (adjacentKeys + colonKeys > 1) {
      throw new UsageException("--adjacent-keys " + adjacentKeys + " and --colon-keys " + colonKeys + " add up to more than 1: expected shares of the"
          + " samples that add up to at most 1");
    }
    if (checkpointEvery < 0) {
      throw new UsageException("invalid value '" + checkpointEvery + "' for --checkpoint-every: expected an integer >= 0");
    }
    if (maxLength < 256 || maxLength > ProbeGeometry.DEFAULT.context() - 64) {
      throw new UsageException("invalid value '" + maxLength + "' for --max-length: expected 256.." + (ProbeGeometry.DEFAULT.context() - 64));
    }
    if (minLength < 64 || minLength > maxLength) {
      throw new UsageException("invalid value '" + minLength + "' for --min-length: expected 64.." + maxLength + " (--max-length)");
    }
    GgmlType t = switch (type.toLowerCase(Locale.ROOT)) {
      case "f32" -> GgmlType.F32;
      case "f16" -> GgmlType.F16;
      default -> throw new UsageException("invalid value '" + type + "' for --type: expected f32 or f16");
    };
    // before hours of training: never a directory, FIFO or device, never through a symbolic link out of its folder
    List<Path> inputs = init == null ? List.of() : List.of(init);
    OutputFiles.check(out, inputs, "--out");
    if (curves != null) {
      if (!curves.getFileName().toString().endsWith(".png")) {
        throw new UsageException("invalid value '" + curves + "' for --curves: expected a file name ending in .png, such as training.png");
      }
      OutputFiles.check(curves, inputs, "--curves");
    }
    ProbeWeights initial = null;
    ProbeGeometry shape;
    if (init != null) {
      Inputs.checkModelPath(init);
      initial = ProbeReader.read(init);
      shape = initial.geometry();
    } else {
      try {
        shape = ProbeGeometry.parse(geometry);
      } catch (IllegalArgumentException e) {
        throw new UsageException("invalid --geometry '" + geometry + "': " + e.getMessage());
      }
    }
    if (ropeTheta != null) {
      try {
        shape = shape.withRopeTheta(ropeTheta);
      } catch (IllegalArgumentException e) {
        throw new UsageException("invalid value '" + ropeTheta + "' for --rope-theta: " + e.getMessage());
      }
      if (initial != null) {
        initial = new ProbeWeights(shape, initial.vocabulary(), initial.tensors());
      }
    }
    ProbeTrainer trainer = new ProbeTrainer(shape, ProbeVocabulary.build());
    ProbeTrainer.Options options = new ProbeTrainer.Options(steps, batch, minLength, maxLength, seed, learningRate,
        EvalSupport.names(tasks, "--tasks").stream().map(RulerTask::of).toList()).withFillerNumbers(fillerNumbers)
        .startingWithKeys(keysStart).withCompetence(competence).withKeyedValues(keyedValues).withKeyGaps(adjacentKeys, colonKeys);
    if (initial != null) {
      options = options.continuing(initial);
    }
    if (curriculumStart != null) {
      String[] nt = curriculumStart.split(":");
      try {
        int startTasks = Integer.parseInt(nt[0].strip());
        int startLength = Integer.parseInt(nt[1].strip());
        if (nt.length != 2 || startTasks < 1 || startTasks > options.tasks().size() || startLength < minLength || startLength > maxLength) {
          throw new NumberFormatException();
        }
        options = options.startingAt(startTasks, startLength);
      } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
        throw new UsageException("invalid value '" + curriculumStart + "' for --curriculum-start: expected N:T with N in 1.." + options.tasks().size()
            + " (tasks) and T in " + minLength + ".." + maxLength + " (tokens), e.g. 2:512");
      }
    }
    PolicyFactory policy = trainingPolicy();
    if (policy != null) {
      try {
        trainer.checkTrainable(policy);
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new UsageException("invalid value '" + trainPolicy + "' for --train-policy: " + e.getMessage());
      }
      options = options.withAttention(policy);
    }
    ProbeWeights weights;
    double[] last = {Double.NaN, 0, 0, 0};
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
    TrainingCurves curve = curves == null ? null : new TrainingCurves(curves, maxLength);
    // without a terminal the loop logs its own lines (every LOG_EVERY steps), the bar none
    try (ProgressBar bar = EvalSupport.progress("train-probe", steps, false)) {
      weights = trainer.train(options, log -> {
        if (curve != null) {
          curve.add(log);
        }
        last[0] = log.loss();
        last[1] = log.tokenAccuracy();
        last[2] = log.skippedSteps();
        last[3] = log.step();
        bar.step();
        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.3f answers right %.2f, curriculum %d tasks up to %d tokens", log.loss(),
            log.sampleAccuracy(), log.curriculumTasks(), log.curriculumLength()));
        status.update(log.step() + " of " + steps + " training steps");
        if (System.console() == null && (log.step() % LOG_EVERY == 0 || log.step() == steps)) {
          // no terminal for the bar (a log file, CI): a plain line now and then
          err().println(String.format(Locale.ROOT, "step %d of %d: loss %.4f, answer-token accuracy %.3f, answers right %.3f (%s), curriculum %d tasks"
              + " with up to %d keys up to %d tokens, %.0f ms", log.step(), steps, log.loss(), log.tokenAccuracy(), log.sampleAccuracy(), perTask(log),
              log.curriculumTasks(), log.curriculumKeys(), log.curriculumLength(), log.millis()));
        }
      }, stop::get, checkpointEvery, w -> {
        Path file = checkpoint(out, (int) last[3]);
        ProbeExporter.write(w, file, GgmlType.F32);
        if (curve != null) {
          curve.write();
        }
        err().println("wrote checkpoint " + file);
      });
    } finally {
      left.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already shutting down: the hook is running and has just been released
      }
    }
    ProbeExporter.write(weights, out, t);
    if (curve != null) {
      curve.write();
      err().println("wrote " + curves + " and " + TrainingCurves.csv(curves));
    }
    err().println(String.format(Locale.ROOT, "wrote %s: %d steps (%d skipped for a non-finite gradient), final loss %.4f, answer-token accuracy %.3f", out,
        steps, (int) last[2], last[0], last[1]));
    return 0;
  }

  /** A share of the training samples must be between 0 and 1 (NaN is not). */
  private static void requireShare(double share, String flag, String example) {
    if (!(share >= 0 && share <= 1)) {
      throw new UsageException("invalid value '" + share + "' for " + flag + ": expected a share between 0 and 1, such as " + example);
    }
  }
}
