package org.recycledattention.train;

import static java.util.Objects.requireNonNull;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.recycledattention.api.RaException;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.engine.decode.PolicyFactory;
import org.recycledattention.eval.ruler.RulerGenerator;
import org.recycledattention.eval.ruler.RulerTask;
import org.recycledattention.eval.ruler.TaskSample;
import org.recycledattention.model.tokenizer.SentencePieceTokenizer;

/**
 * Trains the probe model with DJL's PyTorch engine: the engine's forward pass written in NDArray
 * operations, autograd, Adam; the loss is the language-model loss over every token plus the loss on
 * the answer tokens, weighted as much again.
 *
 * <p>The curriculum is competence-based. Retrieval is learnt as a sudden transition that a small
 * model only makes on short prompts: with a haystack of several hundred tokens the attention that
 * would find the needle starts out uniform and its gradient is diluted by the length, and runs that
 * started at 256–768 tokens stayed on the plateau (answer loss ln 10 on the digits) for thousands of
 * steps. So training starts at {@link Options#minLength()} with the first task only; whenever the
 * running share of samples whose every answer token is right (teacher-forced) passes {@value
 * #COMPETENCE} ({@link Options#competence()}; checked at most every {@value #PATIENCE} steps) the next task joins the mix; once
 * all have joined, the distractor curriculum ({@link Options#startKeys()}) adds a needle of another
 * key to {@code niah_multikey} and {@code niah_multiquery} samples until they have RULER's {@value
 * RulerGenerator#KEYS} (a sample's count is drawn between the start's and the current most); and
 * then the longest prompt grows by a tenth (at least 16 tokens) up to {@link Options#maxLength()}. (Per answer token the bar would be too low: with distractor needles a model
 * that picks a wrong needle still copies the rest of the value it is given, and the period and end
 * of the answer are free, so it scores 0.8 without matching keys.) The running accuracy restarts
 * from zero when a task joins, so the new mix must be learnt before anything else changes. Prompt
 * lengths are drawn uniformly between the minimum and the current longest, so short samples keep
 * coming. Half the samples of a step are of the task that joined last (the one being learnt), the
 * others are drawn from every task let in. Gradients are cleared after every step by {@code clearGradients} (not by DJL's
 * {@code zeroGradients}, see there).
 *
 * <p>With {@link Options#attention()} the answer tokens train with a policy's attention: the
 * prompt's last token ends the prefill and each answer token is a decode step, and {@link
 * PolicyReplay} lets the policy itself decide what each of them attends (for Recycled Attention,
 * the top-K of the last full step plus the tokens decoded since). The policy chooses from
 * probabilities copied out of the graph, so the choice is not differentiated; the attention over
 * what it chose is. Prompt positions always attend causally (the engine prefills with full
 * attention). {@link Options#initial()} continues a trained model (continued pre-training).
 *
 * <p>Training samples come from a generator seed derived from, and different from, {@code seed},
 * so an evaluation with the same seed does not see training samples.
 *
 * <p>Deterministic for a seed on one machine (data and initialisation are seeded; libtorch's CPU
 * kernels may differ in the last bits between machines, and the curriculum follows the accuracy).
 *
 * <p>Not thread-safe; one training at a time per instance.
 */
public final class ProbeTrainer {
  /**
   * @param steps optimiser steps
   * @param batch sequences per step
   * @param minLength shortest prompt in tokens, where the curriculum starts (tasks whose template
   *     alone is longer use their shortest sample)
   * @param maxLength longest prompt in tokens, where the curriculum ends
   * @param seed data and initialisation seed
   * @param learningRate peak Adam learning rate (see {@link #learningRate(Options, int)} for the schedule)
   * @param tasks the task mix, in the order the curriculum adds them
   * @param attention the policy whose attention the answer tokens train with (each answer token is a
   *     decode step of it, the prompt's last token its end of prefill); null for full attention
   * @param initial weights to continue training from (continued pre-training), or null to start
   *     from a random initialisation; its geometry must be the trainer's
   * @param startTasks how many of the tasks the curriculum lets in at the start (1..tasks)
   * @param startLength the curriculum's longest prompt at the start (minLength..maxLength)
   * @param fillerNumbers numbers in the haystack ({@link RulerGenerator#withFillerNumbers()})
   * @param startKeys how many needles of different keys {@code niah_multikey}, {@code
   *     niah_multiquery} and {@code recall} samples have at the start of the curriculum
   *     (1..{@value RulerGenerator#KEYS}),
   *     the distractor curriculum (see the class comment); {@value RulerGenerator#KEYS}, RULER's, for none
   * @param competence the running share of whole answers right above which the curriculum advances
   *     (above 0, at most 1; {@value #COMPETENCE} by default; 1 holds the curriculum where it starts,
   *     since no share passes it: a replay of a frozen checkpoint measures one mix throughout)
   * @param keyedValues the share of training samples drawn with keyed values ({@link
   *     RulerGenerator#withKeyedValues()}: a value's first pair fixed by its key's first word), 0..1;
   *     0 by default. The rest are ordinary samples.
   * @param adjacentKeys the share of training samples drawn with adjacent keys ({@link
   *     RulerGenerator#withKeyGap} {@link RulerGenerator.KeyGap#NONE}: in {@code recall} and {@code
   *     echo} a value right after its key), 0..1; 0 by default. Drawn after, and independently of, the
   *     keyed values.
   * @param colonKeys the share of training samples drawn with a colon between key and value ({@link
   *     RulerGenerator.KeyGap#COLON}), 0..1 with {@code adjacentKeys + colonKeys <= 1}; 0 by default
   */
  public record Options(int steps, int batch, int minLength, int maxLength, long seed, double learningRate, List<RulerTask> tasks,
      PolicyFactory attention, ProbeWeights initial, int startTasks, int startLength, boolean fillerNumbers, int startKeys,
      double competence, double keyedValues, double adjacentKeys, double colonKeys) {
    public Options {
      if (steps < 1 || batch < 1 || minLength < 64 || maxLength < minLength || tasks.isEmpty() || startTasks < 1 || startTasks > tasks.size()
          || startLength < minLength || startLength > maxLength || startKeys < 1 || startKeys > RulerGenerator.KEYS
          || !(competence > 0 && competence <= 1) || !(keyedValues >= 0 && keyedValues <= 1)
          || !(adjacentKeys >= 0 && colonKeys >= 0 && adjacentKeys + colonKeys <= 1)) {
        throw new IllegalArgumentException("invalid training options: steps " + steps + ", batch " + batch + ", lengths " + minLength + ".." + maxLength
            + ", tasks " + tasks + ", start " + startTasks + " tasks up to " + startLength + " tokens with " + startKeys + " keys, competence " + competence
            + ", keyed values " + keyedValues + ", adjacent keys " + adjacentKeys + ", colon keys " + colonKeys);
      }
      tasks = List.copyOf(tasks);
    }

    /** Full attention from a random initialisation, the curriculum from its first task at {@code minLength}. */
    public Options(int steps, int batch, int minLength, int maxLength, long seed, double learningRate, List<RulerTask> tasks) {
      this(steps, batch, minLength, maxLength, seed, learningRate, tasks, null, null, 1, minLength, false, RulerGenerator.KEYS, COMPETENCE, 0, 0, 0);
    }

    /** Whether a task of the mix has distractor needles whose number the curriculum can grow. */
    boolean hasKeyedTask() {
      return tasks.contains(RulerTask.NIAH_MULTIKEY) || tasks.contains(RulerTask.NIAH_MULTIQUERY)
          || tasks.contains(RulerTask.RECALL) || tasks.contains(RulerTask.ECHO);
    }

    /** The options {@code ra train-probe} uses by default, for a seed and a number of steps. */
    public static Options defaults(long seed, int steps) {
      return new Options(steps, DEFAULT_BATCH, DEFAULT_MIN_LENGTH, DEFAULT_MAX_LENGTH, seed, DEFAULT_LEARNING_RATE, DEFAULT_TASKS);
    }

    /** These options with answer tokens attending as {@code policy} decodes (null: full attention). */
    public Options withAttention(PolicyFactory policy) {
      return new Options(steps, batch, minLength, maxLength, seed, learningRate, tasks, policy, initial, startTasks, startLength, fillerNumbers, startKeys, competence, keyedValues, adjacentKeys, colonKeys);
    }

    /**
     * These options continuing from {@code weights}; the curriculum then starts with every task in
     * and at the longest length (a trained model has nothing left to learn on short prompts first).
     */
    public Options continuing(ProbeWeights weights) {
      return new Options(steps, batch, minLength, maxLength, seed, learningRate, tasks, attention, weights, tasks.size(), maxLength, fillerNumbers,
          startKeys, competence, keyedValues, adjacentKeys, colonKeys);
    }

    /** These options with numbers in the haystack, or without ({@link RulerGenerator#withFillerNumbers()}). */
    public Options withFillerNumbers(boolean numbers) {
      return new Options(steps, batch, minLength, maxLength, seed, learningRate, tasks, attention, initial, startTasks, startLength, numbers, startKeys, competence, keyedValues, adjacentKeys, colonKeys);
    }

    /** These options with the curriculum starting with {@code tasks} tasks let in and prompts up to {@code length} tokens. */
    public Options startingAt(int tasks, int length) {
      return new Options(steps, batch, minLength, maxLength, seed, learningRate, this.tasks, attention, initial, tasks, length, fillerNumbers, startKeys, competence, keyedValues, adjacentKeys, colonKeys);
    }

    /**
     * These options with the distractor curriculum: {@code niah_multikey} and {@code niah_multiquery}
     * samples start with {@code keys} needles of different keys, one more each time the curriculum
     * advances once every task has joined, up to {@value RulerGenerator#KEYS}; the prompts grow only after that.
     */
    public Options startingWithKeys(int keys) {
      return new Options(steps, batch, minLength, maxLength, seed, learningRate, tasks, attention, initial, startTasks, startLength, fillerNumbers, keys, competence, keyedValues, adjacentKeys, colonKeys);
    }

    /** These options with {@code share} of the samples drawn with keyed values ({@link RulerGenerator#withKeyedValues()}). */
    public Options withKeyedValues(double share) {
      return new Options(steps, batch, minLength, maxLength, seed, learningRate, tasks, attention, initial, startTasks, startLength, fillerNumbers, startKeys,
          competence, share, adjacentKeys, colonKeys);
    }

    /**
     * These options with a share {@code adjacent} of the samples drawn with adjacent keys and a share
     * {@code colon} with a colon between key and value ({@link RulerGenerator#withKeyGap}).
     */
    public Options withKeyGaps(double adjacent, double colon) {
      return new Options(steps, batch, minLength, maxLength, seed, learningRate, tasks, attention, initial, startTasks, startLength, fillerNumbers, startKeys,
          competence, keyedValues, adjacent, colon);
    }

    /**
     * These options with the curriculum advancing above {@code bar} instead of {@value #COMPETENCE}:
     * a lower bar lets the prompts grow while a hard task of the mix is still being learnt, which at
     * the default would hold every other task at the start's length.
     */
    public Options withCompetence(double bar) {
      return new Options(steps, batch, minLength, maxLength, seed, learningRate, tasks, attention, initial, startTasks, startLength, fillerNumbers, startKeys, bar, keyedValues, adjacentKeys, colonKeys);
    }
  }

  public static final int DEFAULT_BATCH = 12;
  public static final int DEFAULT_MIN_LENGTH = 96;
  public static final int DEFAULT_MAX_LENGTH = 1024;
  public static final double DEFAULT_LEARNING_RATE = 2e-3;
  /** The default tasks as {@code ra train-probe --tasks} spells them. */
  public static final String DEFAULT_TASK_IDS = "niah_single";
  public static final List<RulerTask> DEFAULT_TASKS = Arrays.stream(DEFAULT_TASK_IDS.split(",")).map(RulerTask::of).toList();

  /**
   * Needles (keys, all asked) of a {@code recall} training sample, values listed in an {@code
   * induction} one: drawn uniformly in this range once the distractor curriculum has reached RULER's
   * four keys (recall is where key matching is learnt, with more keys than RULER's four); before,
   * {@code recall} follows that curriculum ({@link #keys}).
   */
  static final int RECALL_MIN_KEYS = 2;
  static final int RECALL_MAX_KEYS = 8;

  /** Running share of whole answers right above which the curriculum advances, by default ({@link Options#competence()}). */
  public static final double COMPETENCE = 0.9;
  /** Steps in a row with a non-finite loss or gradient (skipped) before training gives up. */
  static final int MAX_SKIPPED = 10;
  /** Steps between two advances of the curriculum, at least. */
  static final int PATIENCE = 10;

  /**
   * Progress of one step.
   *
   * @param length this step's prompt length (tokens asked of the generator)
   * @param curriculumLength the curriculum's current longest prompt
   * @param curriculumTasks how many of the tasks the curriculum has let in
   * @param curriculumKeys the most needles of different keys a {@code niah_multikey} or {@code
   *     niah_multiquery} sample has now (the distractor curriculum)
   * @param loss mean loss per answer token
   * @param tokenAccuracy share of answer tokens predicted right (teacher-forced, argmax)
   * @param sampleAccuracy share of this step's samples whose every answer token was predicted right
   *     (teacher-forced): what the curriculum follows
   * @param taskAccuracy per task let in so far, the running (exponentially averaged) sample accuracy
   * @param skippedSteps steps so far whose loss or gradient was not finite, so that changed nothing
   */
  public record StepLog(int step, int steps, int length, int curriculumLength, int curriculumTasks, int curriculumKeys, double loss,
      double tokenAccuracy, double sampleAccuracy, Map<RulerTask, Double> taskAccuracy, int skippedSteps, double millis) {}

  private final ProbeGeometry geometry;
  private final ProbeVocabulary vocabulary;
  private final SentencePieceTokenizer tokenizer;

  public ProbeTrainer(ProbeGeometry geometry, ProbeVocabulary vocabulary) {
    this.geometry = requireNonNull(geometry, "geometry is null");
    this.vocabulary = requireNonNull(vocabulary, "vocabulary is null");
    this.tokenizer = vocabulary.tokenizer();
  }

  /**
   * Trains from scratch.
   *
   * @throws RaException when libtorch cannot be loaded
   */
  public ProbeWeights train(Options options, Consumer<StepLog> progress) {
    return train(options, progress, () -> false, 0, w -> { });
  }

  /**
   * Trains from scratch, checking {@code stop} between steps: when it turns true the training ends
   * after the current step (libtorch must not be inside a step when the JVM shuts down) and this
   * method throws {@link RaException}.
   */
  public ProbeWeights train(Options options, Consumer<StepLog> progress, BooleanSupplier stop) {
    return train(options, progress, stop, 0, w -> { });
  }

  /**
   * {@link #train(Options, Consumer, BooleanSupplier)}, handing the weights to
   * {@code checkpoint} after every {@code checkpointEvery} steps (0: never), e.g. to keep
   * intermediate models of a long run.
   */
  public ProbeWeights train(Options options, Consumer<StepLog> progress, BooleanSupplier stop, int checkpointEvery,
      Consumer<ProbeWeights> checkpoint) {
    Engine engine;
    try {
      engine = Engine.getEngine("PyTorch");
    } catch (RuntimeException | LinkageError e) {
      throw new RaException("cannot train the probe model: DJL's PyTorch engine failed to load (" + e.getMessage()
          + "); the ra-train module needs ai.djl.pytorch:pytorch-native-cpu on the class path");
    }
    engine.setRandomSeed((int) options.seed());
    Random random = new Random(options.seed());
    RulerGenerator plain = new RulerGenerator(s -> tokenizer.encode(s, false).length, options.seed() ^ TRAINING_SEED_MIX);
    RulerGenerator generator = options.fillerNumbers() ? plain.withFillerNumbers() : plain;
    PolicyReplay replay = options.attention() == null ? null : new PolicyReplay(options.attention(), shape());
    try (NDManager base = engine.newBaseManager()) {
      Map<String, NDArray> params = options.initial() == null ? initialise(base, random) : load(base, options.initial());
      Map<String, NDArray[]> adam = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        adam.put(e.getKey(), new NDArray[] {base.zeros(e.getValue().getShape()), base.zeros(e.getValue().getShape())});
      }
      NDArray rotation = rotationMatrix(base);
      int sampleIndex = 0;
      Curriculum curriculum = new Curriculum(options);
      Map<RulerTask, Double> taskAccuracy = new LinkedHashMap<>();
      int skippedInARow = 0;
      int skipped = 0;
      for (int step = 1; step <= options.steps(); step++) {
        if (stop.getAsBoolean()) {
          throw new RaException("probe training stopped after " + (step - 1) + " of " + options.steps() + " steps; nothing was written");
        }
        long t0 = System.nanoTime();
        int length = curriculum.length(random);
        int sequences = sequencesPerStep(options, length);
        Batch batch = batch(generator, options, sequences, length, curriculum, sampleIndex, random);
        sampleIndex += sequences;
        double loss;
        double accuracy;
        float[] correct;
        try (NDScope scope = new NDScope(); GradientCollector collector = engine.newGradientCollector()) {
          NDArray tokens = base.create(batch.inputs, new Shape(sequences, batch.length));
          long rows = (long) sequences * batch.length;
          DecodeRows decode = replay == null ? null : new DecodeRows(base, replay, batch.rows, batch.length);
          NDArray hidden = forwardHidden(base, params, rotation, tokens, batch.length, decode).reshape(rows, geometry.dim());
          NDArray logp = hidden.matMul(params.get("token_embd.weight").transpose()).logSoftmax(-1);
          // language-model loss on every real token (the repeated haystack teaches copying: induction
          // heads) plus, weighted as much again, the loss on the answer tokens, which is the task
          NDArray picked = logp.gather(base.create(batch.nextTokens, new Shape(rows, 1)), 1).reshape(rows);
          NDArray lossArray = picked.mul(base.create(batch.weights, new Shape(rows))).sum().neg();
          collector.backward(lossArray);
          int answers = batch.targets.length;
          NDArray answerRows = base.create(batch.targetRows, new Shape(answers, 1));
          loss = picked.reshape(rows, 1).gather(answerRows, 0).sum().neg().getFloat() / answers;
          NDArray targets = base.create(batch.targets, new Shape(answers));
          NDArray predicted = logp.gather(answerRows.broadcast(new Shape(answers, vocabulary.size())), 0).argMax(-1).toType(DataType.FLOAT32, false);
          correct = predicted.eq(targets).toType(DataType.FLOAT32, false).toFloatArray();
          double sum = 0;
          for (float c : correct) {
            sum += c;
          }
          accuracy = sum / correct.length;
        }
        try (NDScope scope = new NDScope()) {
          boolean applied = Double.isFinite(loss) && adamStep(params, adam, step, learningRate(options, step));
          skippedInARow = applied ? 0 : skippedInARow + 1;
          skipped += applied ? 0 : 1;
          clearGradients(params);
        }
        if (skippedInARow > MAX_SKIPPED) {
          throw new RaException("probe training diverged: " + skippedInARow + " steps in a row up to step " + step
              + " had a non-finite loss or gradient; lower the learning rate or change the seed");
        }
        double sampleAccuracy = sampleAccuracy(batch, correct, taskAccuracy);
        curriculum.observe(step, sampleAccuracy);
        progress.accept(new StepLog(step, options.steps(), length, curriculum.longest, curriculum.tasks, curriculum.keys, loss, accuracy, sampleAccuracy,
            Map.copyOf(taskAccuracy), skipped, (System.nanoTime() - t0) / 1e6));
        if (checkpointEvery > 0 && step % checkpointEvery == 0 && step < options.steps()) {
          checkpoint.accept(weights(params));
        }
      }
      return weights(params);
    }
  }

  /** The parameters as heap weights. */
  private ProbeWeights weights(Map<String, NDArray> params) {
    Map<String, ProbeWeights.Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      Shape s = e.getValue().getShape();
      int rows = s.dimension() == 1 ? 1 : (int) s.get(0);
      int cols = (int) s.get(s.dimension() - 1);
      out.put(e.getKey(), new ProbeWeights.Tensor(rows, cols, e.getValue().toFloatArray()));
    }
    return new ProbeWeights(geometry, vocabulary, out);
  }

  /**
   * The share of the batch's samples whose answer tokens were all right; updates the running
   * accuracy per task (an exponential average over samples).
   */
  private static double sampleAccuracy(Batch batch, float[] correct, Map<RulerTask, Double> perTask) {
    int samples = batch.tasks.size();
    boolean[] right = new boolean[samples];
    Arrays.fill(right, true);
    for (int i = 0; i < correct.length; i++) {
      if (correct[i] < 0.5f) {
        right[batch.targetSample[i]] = false;
      }
    }
    int n = 0;
    for (int b = 0; b < samples; b++) {
      n += right[b] ? 1 : 0;
      perTask.merge(batch.tasks.get(b), right[b] ? 1.0 : 0.0, (old, now) -> 0.97 * old + 0.03 * now);
    }
    return n / (double) samples;
  }

  /**
   * Replays {@code policy} on a small made-up sequence through every layer, so that a policy the
   * trainer cannot replay is refused before training starts.
   *
   * @throws IllegalArgumentException when the policy asks for what a training replay cannot give
   */
  public void checkTrainable(PolicyFactory policy) {
    PolicyReplay replay = new PolicyReplay(policy, shape());
    int length = 48;
    PolicyReplay.Rows rows = new PolicyReplay.Rows(length - 9, 8);
    int heads = geometry.heads();
    float[] probabilities = new float[heads * rows.count() * length];
    for (int h = 0; h < heads; h++) {
      for (int r = 0; r < rows.count(); r++) {
        int position = rows.promptEnd() + r;
        for (int j = 0; j <= position; j++) {
          probabilities[(h * rows.count() + r) * length + j] = 1f / (position + 1);
        }
      }
    }
    float[] queries = new float[heads * rows.count() * geometry.headDim()];
    Arrays.fill(queries, 1f);
    float[] mask = new float[geometry.kvHeads() * rows.count() * length];
    for (int l = 0; l < geometry.layers(); l++) {
      replay.replay(l, rows, probabilities, queries, rows.count(), length, mask, 0);
    }
  }

  /** The policies' view of the probe's geometry. */
  ModelShape shape() {
    return new ModelShape(geometry.layers(), geometry.heads(), geometry.kvHeads(), geometry.headDim(), geometry.context());
  }

  /**
   * Logits of the last position of {@code tokens} under {@code weights}, computed by this trainer's
   * forward pass (for checking it against the engine's).
   */
  public float[] lastLogits(ProbeWeights weights, int[] tokens) {
    float[][] all = logits(weights, tokens, tokens.length - 1, null);
    return all[all.length - 1];
  }

  /**
   * The logits this trainer computes, with the attention of {@code policy} (null: full attention),
   * at the prompt's last position and at every later position of {@code tokens}, each a decode
   * step: what training optimises, for checking it against what the engine decodes.
   *
   * @param promptEnd position of the prompt's last token
   * @return per row (prompt end, then decode steps 0, 1, ...), the logits of the next token
   */
  public float[][] logits(ProbeWeights weights, int[] tokens, int promptEnd, PolicyFactory policy) {
    Engine engine = Engine.getEngine("PyTorch");
    try (NDManager m = engine.newBaseManager()) {
      Map<String, NDArray> params = load(m, weights);
      long[] ids = new long[tokens.length];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = tokens[i];
      }
      PolicyReplay.Rows rows = new PolicyReplay.Rows(promptEnd, tokens.length - 1 - promptEnd);
      DecodeRows decode = policy == null ? null : new DecodeRows(m, new PolicyReplay(policy, shape()), List.of(rows), ids.length);
      NDArray logits = forward(m, params, rotationMatrix(m), m.create(ids, new Shape(1, ids.length)), ids.length, decode);
      float[] all = logits.toFloatArray();
      int v = vocabulary.size();
      float[][] out = new float[rows.count()][];
      for (int r = 0; r < out.length; r++) {
        out[r] = Arrays.copyOfRange(all, (promptEnd + r) * v, (promptEnd + r + 1) * v);
      }
      return out;
    }
  }

  /**
   * The gradient of the language-model loss of {@code tokens} (every next token, full attention)
   * with respect to every parameter, with {@code beforeBackward} run between the forward and the
   * backward pass: what a training step computes, for checking that the backward pass depends only
   * on the forward pass (not on what the JVM does in between, e.g. a garbage collection).
   */
  Map<String, float[]> gradients(ProbeWeights weights, int[] tokens, Runnable beforeBackward) {
    Engine engine = Engine.getEngine("PyTorch");
    try (NDManager m = engine.newBaseManager(); GradientCollector collector = engine.newGradientCollector()) {
      Map<String, NDArray> params = load(m, weights);
      int length = tokens.length - 1;
      long[] inputs = new long[length];
      long[] next = new long[length];
      for (int i = 0; i < length; i++) {
        inputs[i] = tokens[i];
        next[i] = tokens[i + 1];
      }
      NDArray ids = m.create(inputs, new Shape(1, length));
      NDArray hidden = forwardHidden(m, params, rotationMatrix(m), ids, length, null).reshape(length, geometry.dim());
      NDArray logp = hidden.matMul(params.get("token_embd.weight").transpose()).logSoftmax(-1);
      NDArray loss = logp.gather(m.create(next, new Shape(length, 1)), 1).sum().neg();
      beforeBackward.run();
      collector.backward(loss);
      Map<String, float[]> out = new LinkedHashMap<>();
      params.forEach((name, p) -> out.put(name, p.getGradient().toFloatArray()));
      return out;
    }
  }

  /** {@code weights} as parameters of this trainer's geometry (each a fresh array that needs gradients). */
  private Map<String, NDArray> load(NDManager m, ProbeWeights weights) {
    if (!weights.geometry().equals(geometry) || weights.vocabulary().size() != vocabulary.size()) {
      throw new IllegalArgumentException("weights of geometry " + weights.geometry() + " with " + weights.vocabulary().size()
          + " tokens do not fit a trainer of geometry " + geometry + " with " + vocabulary.size());
    }
    Map<String, NDArray> params = new LinkedHashMap<>();
    weights.tensors().forEach((name, t) -> params.put(name, m.create(t.data(), name.endsWith("norm.weight") ? new Shape(t.cols()) : new Shape(t.rows(), t.cols()))));
    for (NDArray a : params.values()) {
      a.setRequiresGradient(true);
    }
    return params;
  }

  /** Linear warm-up over the first 5% of steps, the peak until 70%, then a cosine decay to a tenth. */
  static double learningRate(Options o, int step) {
    int warmup = Math.max(1, o.steps() / 20);
    int decay = (int) (o.steps() * 0.7);
    if (step <= warmup) {
      return o.learningRate() * step / warmup;
    }
    if (step <= decay) {
      return o.learningRate();
    }
    double t = (step - decay) / (double) Math.max(1, o.steps() - decay);
    return o.learningRate() * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * t)));
  }

  /**
   * Sequences in a step of prompts of {@code length} tokens: {@link Options#batch()}, fewer for long
   * prompts so that a step holds at most {@code batch × }{@value #TOKENS_PER_SEQUENCE} tokens (and
   * at least 2 sequences): the long end of the curriculum costs no more per step than the middle.
   */
  static int sequencesPerStep(Options o, int length) {
    return Math.max(2, Math.min(o.batch(), o.batch() * TOKENS_PER_SEQUENCE / Math.max(1, length)));
  }

  /** Prompt tokens per sequence of the batch that a step holds at most (see {@link #sequencesPerStep}). */
  static final int TOKENS_PER_SEQUENCE = 384;

  /** Mixed into the seed for the training data's generator, so training and evaluation samples differ. */
  private static final long TRAINING_SEED_MIX = 0x7261_7472_6169_6EL;

  /**
   * Needles of different keys (values, for {@code induction}) of a training sample of {@code task}:
   * the distractor curriculum's draw for {@code niah_multikey} and {@code niah_multiquery}, and for
   * {@code recall} while that curriculum is below RULER's {@value RulerGenerator#KEYS} (key matching
   * starts with few keys there too); then, and always for {@code induction}, uniform in {@value
   * #RECALL_MIN_KEYS}..{@value #RECALL_MAX_KEYS}.
   */
  static int keys(RulerTask task, Curriculum curriculum, Random random) {
    return switch (task) {
      case NIAH_MULTIKEY, NIAH_MULTIQUERY -> curriculum.keys(random);
      case RECALL, ECHO -> curriculum.keys < RulerGenerator.KEYS ? curriculum.keys(random) : anyKeys(random);
      case INDUCTION -> anyKeys(random);
      default -> RulerGenerator.KEYS;
    };
  }

  private static int anyKeys(Random random) {
    return RECALL_MIN_KEYS + random.nextInt(RECALL_MAX_KEYS - RECALL_MIN_KEYS + 1);
  }

  /** The competence-based curriculum (see the class comment). */
  static final class Curriculum {
    private final Options options;
    int tasks = 1;
    int keys;
    int longest;
    private double accuracy;
    private int lastAdvance;

    Curriculum(Options options) {
      this.options = options;
      this.tasks = options.startTasks();
      this.longest = options.startLength();
      this.keys = options.hasKeyedTask() ? options.startKeys() : RulerGenerator.KEYS;
    }

    int length(Random random) {
      return options.minLength() + (int) ((longest - options.minLength()) * random.nextDouble());
    }

    /** Needles of different keys for a sample: drawn uniformly between the start's and the current most, as lengths are. */
    int keys(Random random) {
      int start = Math.min(keys, options.startKeys());
      return start + random.nextInt(keys - start + 1);
    }

    void observe(int step, double stepAccuracy) {
      accuracy = 0.9 * accuracy + 0.1 * stepAccuracy;
      if (accuracy <= options.competence() || step - lastAdvance < PATIENCE) {
        return;
      }
      if (tasks < options.tasks().size()) {
        tasks++;
        lastAdvance = step;
        accuracy = 0; // competence on the new mix is measured afresh
      } else if (keys < RulerGenerator.KEYS) {
        keys++;
        lastAdvance = step;
        accuracy = 0; // as for a new task: more distractors must be learnt before the prompts grow
      } else if (longest < options.maxLength()) {
        longest = Math.min(options.maxLength(), longest + Math.max(16, longest / 10));
        lastAdvance = step;
      }
    }
  }

  /**
   * @param rows per sequence, its prompt end and decode steps (the answer tokens fed as input)
   * @param tasks per sequence, its task
   * @param targetSample per answer target, the sequence it belongs to
   */
  private record Batch(int length, long[] inputs, float[] targets, long[] targetRows, long[] nextTokens, float[] weights,
      List<PolicyReplay.Rows> rows, List<RulerTask> tasks, int[] targetSample) {}

  /**
   * The generator of one training sample: {@code generator} with keyed values for a share {@link
   * Options#keyedValues()} of the samples, then with adjacent keys for a share {@link
   * Options#adjacentKeys()} and a colon between key and value for a share {@link Options#colonKeys()}
   * (one draw). Draws from {@code random} only for a share above 0, so that runs without them keep
   * their streams.
   */
  static RulerGenerator sampleGenerator(RulerGenerator generator, Options o, Random random) {
    RulerGenerator g = o.keyedValues() > 0 && random.nextDouble() < o.keyedValues() ? generator.withKeyedValues() : generator;
    if (o.adjacentKeys() + o.colonKeys() > 0) {
      double u = random.nextDouble();
      if (u < o.adjacentKeys()) {
        return g.withKeyGap(RulerGenerator.KeyGap.NONE);
      }
      if (u < o.adjacentKeys() + o.colonKeys()) {
        return g.withKeyGap(RulerGenerator.KeyGap.COLON);
      }
    }
    return g;
  }

  /** Samples of mixed tasks, each BOS + prompt + answer + EOS, right-padded to a common length. */
  private Batch batch(RulerGenerator generator, Options o, int sequences, int promptLength, Curriculum curriculum, int firstIndex, Random random) {
    int taskCount = curriculum.tasks;
    List<int[]> seqs = new ArrayList<>();
    List<Integer> answerStarts = new ArrayList<>();
    List<boolean[]> shownSpans = new ArrayList<>();
    List<RulerTask> tasks = new ArrayList<>();
    List<PolicyReplay.Rows> decodeRows = new ArrayList<>();
    int maxLen = 0;
    for (int b = 0; b < sequences; b++) {
      // half the samples go to the task that joined last (while it is being learnt the others are
      // already known), the rest are drawn from every task let in
      RulerTask task = o.tasks().get(random.nextBoolean() ? taskCount - 1 : random.nextInt(taskCount));
      tasks.add(task);
      // needle depth uniform in [0, 1]: the model must find it anywhere, not just copy what precedes the question
      double depth = random.nextDouble();
      int keys = keys(task, curriculum, random);
      TaskSample sample = sampleGenerator(generator, o, random).generateAtDepth(task, promptLength, firstIndex + b, depth, keys);
      int[] prompt = tokenizer.encode(sample.prompt(), true);
      int[] whole = tokenizer.encode(sample.prompt() + sample.answerText(), true);
      if (!Arrays.equals(prompt, 0, prompt.length, whole, 0, prompt.length)) {
        throw new IllegalStateException("the answer merges with the prompt's last token in task " + task.id());
      }
      int[] seq = Arrays.copyOf(whole, whole.length + 1);
      seq[seq.length - 1] = tokenizer.eos();
      seqs.add(seq);
      answerStarts.add(prompt.length);
      shownSpans.add(shownAnswerTokens(sample, prompt));
      // inputs 0 .. seq.length-2: the prompt, then the answer tokens, each a decode step
      decodeRows.add(new PolicyReplay.Rows(prompt.length - 1, whole.length - prompt.length));
      maxLen = Math.max(maxLen, seq.length - 1);
    }
    long[] inputs = new long[sequences * maxLen];
    long[] nextTokens = new long[sequences * maxLen];
    float[] weights = new float[sequences * maxLen];
    List<Integer> rows = new ArrayList<>();
    List<Integer> targetIds = new ArrayList<>();
    List<Integer> targetSamples = new ArrayList<>();
    int real = 0;
    for (int b = 0; b < seqs.size(); b++) {
      int[] seq = seqs.get(b);
      for (int t = 0; t < maxLen; t++) {
        inputs[b * maxLen + t] = t < seq.length - 1 ? seq[t] : tokenizer.eos();
        nextTokens[b * maxLen + t] = t + 1 < seq.length ? seq[t + 1] : tokenizer.eos();
        if (t + 1 < seq.length) {
          real++;
        }
        // position t predicts token t+1; the answer and its EOS are the task, and so are the answers
        // the prompt already shows (recall's earlier queries)
        boolean shown = t + 1 < shownSpans.get(b).length && shownSpans.get(b)[t + 1];
        if ((shown || t + 1 >= answerStarts.get(b)) && t + 1 < seq.length) {
          rows.add(b * maxLen + t);
          targetIds.add(seq[t + 1]);
          targetSamples.add(b);
        }
      }
    }
    float[] targets = new float[targetIds.size()];
    long[] targetRows = new long[targetIds.size()];
    for (int b = 0; b < seqs.size(); b++) {
      for (int t = 0; t + 1 < seqs.get(b).length && t < maxLen; t++) {
        weights[b * maxLen + t] = 1f / real;
      }
    }
    for (int i = 0; i < targets.length; i++) {
      targets[i] = targetIds.get(i);
      targetRows[i] = rows.get(i);
      weights[rows.get(i)] += 1f / targets.length;
    }
    return new Batch(maxLen, inputs, targets, targetRows, nextTokens, weights, decodeRows, tasks,
        targetSamples.stream().mapToInt(Integer::intValue).toArray());
  }

  /**
   * Which tokens of {@code prompt} (the sample's prompt with BOS) belong to an answer the prompt
   * already shows ({@link TaskSample#shownAnswers()}): those positions are answer targets too.
   */
  boolean[] shownAnswerTokens(TaskSample sample, int[] prompt) {
    boolean[] shown = new boolean[prompt.length];
    for (TaskSample.Span span : sample.shownAnswers()) {
      int start = tokenizer.encode(sample.prompt().substring(0, span.start()), true).length;
      int[] through = tokenizer.encode(sample.prompt().substring(0, span.end()), true);
      if (!Arrays.equals(through, 0, through.length, prompt, 0, through.length)) {
        throw new IllegalStateException("a shown answer of task " + sample.task().id() + " merges with the text after it");
      }
      Arrays.fill(shown, start, through.length, true);
    }
    return shown;
  }

  private Map<String, NDArray> initialise(NDManager m, Random random) {
    ProbeGeometry g = geometry;
    int v = vocabulary.size();
    Map<String, NDArray> p = new LinkedHashMap<>();
    double std = 0.02;
    double residualStd = std / Math.sqrt(2.0 * g.layers());
    p.put("token_embd.weight", normal(m, random, new Shape(v, g.dim()), std));
    for (int l = 0; l < g.layers(); l++) {
      String b = "blk." + l + ".";
      p.put(b + "attn_norm.weight", ones(m, g.dim()));
      p.put(b + "attn_q.weight", normal(m, random, new Shape((long) g.heads() * g.headDim(), g.dim()), std));
      p.put(b + "attn_k.weight", normal(m, random, new Shape((long) g.kvHeads() * g.headDim(), g.dim()), std));
      p.put(b + "attn_v.weight", normal(m, random, new Shape((long) g.kvHeads() * g.headDim(), g.dim()), std));
      p.put(b + "attn_output.weight", normal(m, random, new Shape(g.dim(), (long) g.heads() * g.headDim()), residualStd));
      p.put(b + "ffn_norm.weight", ones(m, g.dim()));
      p.put(b + "ffn_gate.weight", normal(m, random, new Shape(g.ffn(), g.dim()), std));
      p.put(b + "ffn_up.weight", normal(m, random, new Shape(g.ffn(), g.dim()), std));
      p.put(b + "ffn_down.weight", normal(m, random, new Shape(g.dim(), g.ffn()), residualStd));
    }
    p.put("output_norm.weight", ones(m, g.dim()));
    for (NDArray a : p.values()) {
      a.setRequiresGradient(true);
    }
    return p;
  }

  private static NDArray normal(NDManager m, Random r, Shape shape, double std) {
    float[] data = new float[(int) shape.size()];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) (r.nextGaussian() * std);
    }
    return m.create(data, shape);
  }

  private static NDArray ones(NDManager m, int n) {
    return m.ones(new Shape(n));
  }

  /** R with x·R = the RoPE partner of x on interleaved pairs: (x0, x1) → (−x1, x0). */
  private NDArray rotationMatrix(NDManager m) {
    int d = geometry.headDim();
    float[] r = new float[d * d];
    for (int i = 0; i < d; i += 2) {
      r[(i + 1) * d + i] = -1f;
      r[i * d + (i + 1)] = 1f;
    }
    return m.create(r, new Shape(d, d));
  }

  /** cos and sin of every (position, dimension), pairs duplicated: {@code [T, 1, headDim]} each. */
  private NDArray[] ropeTables(NDManager m, int length) {
    int d = geometry.headDim();
    float[] cos = new float[length * d];
    float[] sin = new float[length * d];
    for (int pos = 0; pos < length; pos++) {
      for (int i = 0; i < d; i += 2) {
        double freq = 1.0 / Math.pow(geometry.ropeTheta(), i / (double) d);
        double angle = pos * freq;
        cos[pos * d + i] = cos[pos * d + i + 1] = (float) Math.cos(angle);
        sin[pos * d + i] = sin[pos * d + i + 1] = (float) Math.sin(angle);
      }
    }
    return new NDArray[] {m.create(cos, new Shape(length, 1, d)), m.create(sin, new Shape(length, 1, d))};
  }

  /**
   * The engine's forward pass for a batch: tokens {@code [B, T]} (int64 ids) to logits {@code [B,
   * T, V]}; with {@code decode}, its rows attend as the policy decodes.
   */
  NDArray forward(NDManager m, Map<String, NDArray> p, NDArray rotation, NDArray tokens, int length, DecodeRows decode) {
    return forwardHidden(m, p, rotation, tokens, length, decode).matMul(p.get("token_embd.weight").transpose());
  }

  /**
   * Everything but the output projection: the final-normed hidden states {@code [B, T, dim]}. Every
   * position attends causally (prefill), except the rows of {@code decode} (when not null), which
   * attend what the policy's replay gives them.
   */
  private NDArray forwardHidden(NDManager m, Map<String, NDArray> p, NDArray rotation, NDArray tokens, int length, DecodeRows decode) {
    ProbeGeometry g = geometry;
    long batch = tokens.getShape().get(0);
    long n = batch * length;
    NDArray x = p.get("token_embd.weight").gather(tokens.reshape(n, 1).broadcast(new Shape(n, g.dim())), 0).reshape(batch, length, g.dim());
    NDArray[] rope = ropeTables(m, length);
    float[] maskData = new float[length * length];
    for (int i = 0; i < length; i++) {
      for (int j = i + 1; j < length; j++) {
        maskData[i * length + j] = -1e9f;
      }
    }
    NDArray causal = m.create(maskData, new Shape(length, length));
    Constants c = new Constants(m, g);
    for (int l = 0; l < g.layers(); l++) {
      String b = "blk." + l + ".";
      NDArray h = rmsNorm(x, p.get(b + "attn_norm.weight"), c);
      NDArray q = h.matMul(p.get(b + "attn_q.weight").transpose()).reshape(batch, length, g.heads(), g.headDim());
      NDArray k = h.matMul(p.get(b + "attn_k.weight").transpose()).reshape(batch, length, g.kvHeads(), g.headDim());
      NDArray v = h.matMul(p.get(b + "attn_v.weight").transpose()).reshape(batch, length, g.kvHeads(), g.headDim());
      q = rope(q, rotation, rope);
      k = rope(k, rotation, rope);
      // query head h = kv * group + g reads KV head kv: [B, KV, G, T, hd] against [B, KV, 1, T, hd]
      NDArray qg = q.reshape(batch, length, g.kvHeads(), g.group(), g.headDim()).transpose(0, 2, 3, 1, 4);
      NDArray kt = k.transpose(0, 2, 3, 1).expandDims(2); // [B, KV, 1, hd, T]
      NDArray vg = v.transpose(0, 2, 1, 3).expandDims(2);
      NDArray scores = qg.matMul(kt).mul(c.scale).add(causal);
      NDArray attn = scores.softmax(-1).matMul(vg); // [B, KV, G, T, hd]
      if (decode != null) {
        attn = decode.attend(l, qg, kt, vg, c.scale, attn);
      }
      NDArray merged = attn.transpose(0, 3, 1, 2, 4).reshape(batch, length, (long) g.heads() * g.headDim());
      x = x.add(merged.matMul(p.get(b + "attn_output.weight").transpose()));
      NDArray h2 = rmsNorm(x, p.get(b + "ffn_norm.weight"), c);
      NDArray gate = h2.matMul(p.get(b + "ffn_gate.weight").transpose());
      NDArray up = h2.matMul(p.get(b + "ffn_up.weight").transpose());
      x = x.add(gate.mul(Activation.sigmoid(gate)).mul(up).matMul(p.get(b + "ffn_down.weight").transpose()));
    }
    return rmsNorm(x, p.get("output_norm.weight"), c);
  }

  /**
   * The prompt end and the decode steps of every sequence of a batch, as rows {@code [B, 1, 1, R,
   * T]} (R = the most rows of a sequence): a one-hot matrix that picks them out of the positions,
   * and the causal mask of each. Per layer, {@link #attend} computes the rows' full-attention
   * probabilities, has the policy's replay choose what each row attends, and replaces the rows'
   * attention output by attention over that choice. The gradient flows through the chosen
   * attention; the choice is made on the host and is not differentiated.
   */
  private final class DecodeRows {
    private final PolicyReplay replay;
    private final List<PolicyReplay.Rows> rows;
    private final int count;
    private final int length;
    private final NDArray pick;
    private final NDArray place;
    private final NDArray causal;
    private final NDManager manager;

    DecodeRows(NDManager m, PolicyReplay replay, List<PolicyReplay.Rows> rows, int length) {
      this.manager = m;
      this.replay = replay;
      this.rows = rows;
      this.length = length;
      int most = 1;
      for (PolicyReplay.Rows r : rows) {
        most = Math.max(most, r.count());
      }
      this.count = most;
      int b = rows.size();
      float[] onehot = new float[b * count * length];
      float[] mask = new float[b * count * length];
      Arrays.fill(mask, PolicyReplay.MASKED);
      for (int s = 0; s < b; s++) {
        PolicyReplay.Rows r = rows.get(s);
        for (int i = 0; i < count; i++) {
          int base = (s * count + i) * length;
          if (i < r.count()) {
            int position = r.promptEnd() + i;
            onehot[base + position] = 1f;
            Arrays.fill(mask, base, base + position + 1, 0f);
          } else {
            mask[base] = 0f; // a padding row: nothing of it is used
          }
        }
      }
      this.pick = m.create(onehot, new Shape(b, 1, 1, count, length));
      this.place = pick.transpose(0, 1, 2, 4, 3);
      this.causal = m.create(mask, new Shape(b, 1, 1, count, length));
    }

    /** {@code attn} ({@code [B, KV, G, T, hd]}) with the rows' outputs replaced by the policy's attention. */
    NDArray attend(int layer, NDArray qg, NDArray kt, NDArray vg, NDArray scale, NDArray attn) {
      ProbeGeometry g = geometry;
      NDArray qRows = pick.matMul(qg); // [B, KV, G, R, hd]
      NDArray sRows = qRows.matMul(kt).mul(scale); // [B, KV, G, R, T]
      float[] probabilities = sRows.add(causal).softmax(-1).toFloatArray();
      float[] queries = qRows.toFloatArray();
      int b = rows.size();
      float[] mask = new float[b * g.kvHeads() * count * length];
      for (int s = 0; s < b; s++) {
        int heads = g.heads();
        replay.replay(layer, rows.get(s), Arrays.copyOfRange(probabilities, s * heads * count * length, (s + 1) * heads * count * length),
            Arrays.copyOfRange(queries, s * heads * count * g.headDim(), (s + 1) * heads * count * g.headDim()), count, length, mask,
            s * g.kvHeads() * count * length);
      }
      NDArray chosen = sRows.add(manager.create(mask, new Shape(b, g.kvHeads(), 1, count, length))).softmax(-1).matMul(vg);
      return attn.add(place.matMul(chosen.sub(pick.matMul(attn))));
    }
  }

  /**
   * The scalars of the forward pass as arrays that live as long as the manager (until after the
   * backward pass). Never pass a number to an NDArray operation of the graph: DJL wraps it in a
   * tensor over a direct buffer and closes that at once, but the autograd graph keeps pointing at the
   * buffer's memory (a product's backward multiplies by it, a power's uses its exponent); a garbage
   * collection before the backward pass frees it and the gradient is computed with whatever the
   * allocator wrote there: non-finite (a skipped step) or silently wrong ({@code GradientTest}).
   */
  private static final class Constants {
    final NDArray scale;
    final NDArray eps;
    final NDArray minusHalf;

    Constants(NDManager m, ProbeGeometry g) {
      scale = m.create((float) (1.0 / Math.sqrt(g.headDim())));
      eps = m.create(g.normEps());
      minusHalf = m.create(-0.5f);
    }
  }

  private static NDArray rmsNorm(NDArray x, NDArray weight, Constants c) {
    NDArray ms = x.square().mean(new int[] {-1}, true);
    return x.mul(ms.add(c.eps).pow(c.minusHalf)).mul(weight);
  }

  private static NDArray rope(NDArray x, NDArray rotation, NDArray[] cosSin) {
    return x.mul(cosSin[0]).add(x.matMul(rotation).mul(cosSin[1]));
  }

  /**
   * Sets every gradient to zero. DJL's {@code GradientCollector.zeroGradients} subtracts a gradient
   * from itself, which leaves a NaN gradient NaN for good; an assignment does not.
   */
  private static void clearGradients(Map<String, NDArray> params) {
    for (NDArray p : params.values()) {
      NDArray g = p.getGradient();
      g.set(new NDIndex(":"), 0f);
    }
  }

  /**
   * One Adam update with global gradient-norm clipping; returns false, changing nothing, when the
   * gradient is not finite (a rare overflow in one batch must not turn every weight into NaN).
   */
  private static boolean adamStep(Map<String, NDArray> params, Map<String, NDArray[]> state, int step, double lr) {
    double b1 = 0.9;
    double b2 = 0.98;
    double eps = 1e-8;
    // global gradient-norm clipping at 1
    double sq = 0;
    for (NDArray p : params.values()) {
      sq += p.getGradient().square().sum().getFloat();
    }
    if (!Double.isFinite(sq)) {
      return false;
    }
    double clip = Math.min(1.0, 1.0 / (Math.sqrt(sq) + 1e-6));
    double c1 = 1 - Math.pow(b1, step);
    double c2 = 1 - Math.pow(b2, step);
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray p = e.getValue();
      NDArray g = p.getGradient().mul(clip);
      NDArray[] mv = state.get(e.getKey());
      mv[0].muli(b1).addi(g.mul(1 - b1));
      mv[1].muli(b2).addi(g.square().mul(1 - b2));
      NDArray update = mv[0].div(c1).div(mv[1].div(c2).sqrt().add(eps)).mul(lr);
      p.subi(update);
    }
    return true;
  }
}
