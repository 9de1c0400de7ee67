package org.recycledattention.train;

import static java.util.Objects.requireNonNull;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.recycledattention.api.RaException;
import org.recycledattention.engine.tokenizer.SentencePieceTokenizer;
import org.recycledattention.eval.ruler.RulerGenerator;
import org.recycledattention.eval.ruler.RulerTask;
import org.recycledattention.eval.ruler.TaskSample;

/**
 * Trains the probe model with DJL's PyTorch engine: the engine's forward pass written in NDArray
 * operations, autograd, Adam; the loss is the language-model loss over every token (the repeated
 * haystack is what teaches the model to copy) plus the loss on the answer tokens, weighted as much again.
 * Deterministic for a seed on one machine (data and initialisation are seeded; libtorch's CPU
 * kernels may differ in the last bits between machines).
 *
 * <p>Not thread-safe; one training at a time per instance.
 */
public final class ProbeTrainer {
  /**
   * @param steps optimiser steps
   * @param batch sequences per step
   * @param minLength shortest prompt in tokens
   * @param maxLength longest prompt in tokens (the curriculum grows to it over the first half)
   * @param seed data and initialisation seed
   * @param learningRate peak Adam learning rate (linear warm-up, cosine decay)
   * @param tasks the task mix
   */
  public record Options(int steps, int batch, int minLength, int maxLength, long seed, double learningRate, List<RulerTask> tasks) {
    public Options {
      if (steps < 1 || batch < 1 || minLength < 64 || maxLength < minLength) {
        throw new IllegalArgumentException("invalid training options: steps " + steps + ", batch " + batch + ", lengths " + minLength + ".." + maxLength);
      }
      tasks = List.copyOf(tasks);
    }

    public static Options defaults(long seed, int steps) {
      return new Options(steps, 8, 256, 768, seed, 3e-3, List.of(RulerTask.NIAH_SINGLE, RulerTask.NIAH_MULTIKEY, RulerTask.NIAH_MULTIVALUE));
    }
  }

  /** Progress of one step. */
  public record StepLog(int step, int steps, int length, double loss, double tokenAccuracy, double millis) {}

  private final ProbeGeometry geometry;
  private final ProbeVocabulary vocabulary;
  private final SentencePieceTokenizer tokenizer;

  public ProbeTrainer(ProbeGeometry geometry, ProbeVocabulary vocabulary) {
    this.geometry = requireNonNull(geometry, "geometry is null");
    this.vocabulary = requireNonNull(vocabulary, "vocabulary is null");
    this.tokenizer = vocabulary.tokenizer();
  }

  /** The text the model is trained to continue a sample's prompt with. */
  public static String answerText(TaskSample sample) {
    return " " + String.join(", ", sample.answers()) + ".";
  }

  /**
   * Trains from scratch.
   *
   * @throws RaException when libtorch cannot be loaded
   */
  public ProbeWeights train(Options options, Consumer<StepLog> progress) {
    return train(options, progress, () -> false);
  }

  /**
   * Trains from scratch, checking {@code stop} between steps: when it turns true the training ends
   * after the current step (libtorch must not be inside a step when the JVM shuts down) and this
   * method throws {@link RaException}.
   */
  public ProbeWeights train(Options options, Consumer<StepLog> progress, java.util.function.BooleanSupplier stop) {
    Engine engine;
    try {
      engine = Engine.getEngine("PyTorch");
    } catch (RuntimeException | LinkageError e) {
      throw new RaException("cannot train the probe model: DJL's PyTorch engine failed to load (" + e.getMessage()
          + "); the ra-train module needs ai.djl.pytorch:pytorch-native-cpu on the class path");
    }
    engine.setRandomSeed((int) options.seed());
    Random random = new Random(options.seed());
    RulerGenerator generator = new RulerGenerator(s -> tokenizer.encode(s, false).length, options.seed());
    try (NDManager base = engine.newBaseManager()) {
      Map<String, NDArray> params = initialise(base, random);
      Map<String, NDArray[]> adam = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        adam.put(e.getKey(), new NDArray[] {base.zeros(e.getValue().getShape()), base.zeros(e.getValue().getShape())});
      }
      NDArray rotation = rotationMatrix(base);
      int sampleIndex = 0;
      for (int step = 1; step <= options.steps(); step++) {
        if (stop.getAsBoolean()) {
          throw new RaException("probe training stopped after " + (step - 1) + " of " + options.steps() + " steps; nothing was written");
        }
        long t0 = System.nanoTime();
        double progressShare = Math.min(1.0, step / (0.5 * options.steps()));
        int length = options.minLength() + (int) ((options.maxLength() - options.minLength()) * progressShare * random.nextDouble());
        length = Math.max(options.minLength(), length);
        Batch batch = batch(generator, options, length, sampleIndex, random);
        sampleIndex += options.batch();
        double loss;
        double accuracy;
        try (NDScope scope = new NDScope(); GradientCollector collector = engine.newGradientCollector()) {
          collector.zeroGradients();
          NDArray tokens = base.create(batch.inputs, new Shape(options.batch(), batch.length));
          long rows = (long) options.batch() * batch.length;
          NDArray hidden = forwardHidden(base, params, rotation, tokens, batch.length).reshape(rows, geometry.dim());
          NDArray logp = hidden.matMul(params.get("output.weight").transpose()).logSoftmax(-1);
          // language-model loss on every real token (the repeated haystack teaches copying: induction
          // heads) plus, weighted as much again, the loss on the answer tokens, which is the task
          NDArray picked = logp.mul(base.create(batch.nextTokens, new Shape(rows)).oneHot(vocabulary.size())).sum(new int[] {-1});
          NDArray lossArray = picked.mul(base.create(batch.weights, new Shape(rows))).sum().neg();
          collector.backward(lossArray);
          NDArray select = base.create(batch.selection, new Shape(batch.targets.length, rows));
          NDArray answerLogp = select.matMul(picked.reshape(rows, 1));
          loss = answerLogp.sum().neg().getFloat() / batch.targets.length;
          NDArray targets = base.create(batch.targets, new Shape(batch.targets.length));
          NDArray predicted = select.matMul(logp).argMax(-1).toType(DataType.FLOAT32, false);
          accuracy = predicted.eq(targets).toType(DataType.FLOAT32, false).sum().getFloat() / batch.targets.length;
        }
        try (NDScope scope = new NDScope()) {
          adamStep(params, adam, step, learningRate(options, step));
        }
        if (!Double.isFinite(loss)) {
          throw new RaException("probe training diverged at step " + step + " (loss " + loss + "); lower the learning rate or change the seed");
        }
        progress.accept(new StepLog(step, options.steps(), length, loss, accuracy, (System.nanoTime() - t0) / 1e6));
      }
      Map<String, ProbeWeights.Tensor> out = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        Shape s = e.getValue().getShape();
        int rows = s.dimension() == 1 ? 1 : (int) s.get(0);
        int cols = (int) s.get(s.dimension() - 1);
        out.put(e.getKey(), new ProbeWeights.Tensor(rows, cols, e.getValue().toFloatArray()));
      }
      return new ProbeWeights(geometry, vocabulary, out);
    }
  }

  /**
   * Logits of the last position of {@code tokens} under {@code weights}, computed by this trainer's
   * forward pass (for checking it against the engine's).
   */
  public float[] lastLogits(ProbeWeights weights, int[] tokens) {
    Engine engine = Engine.getEngine("PyTorch");
    try (NDManager m = engine.newBaseManager()) {
      Map<String, NDArray> params = new LinkedHashMap<>();
      weights.tensors().forEach((name, t) -> params.put(name,
          m.create(t.data(), t.rows() == 1 && !name.contains("embd") && !name.startsWith("output.") && name.endsWith("norm.weight")
              ? new Shape(t.cols()) : new Shape(t.rows(), t.cols()))));
      float[] ids = new float[tokens.length];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = tokens[i];
      }
      NDArray logits = forward(m, params, rotationMatrix(m), m.create(ids, new Shape(1, ids.length)), ids.length);
      float[] all = logits.toFloatArray();
      int v = vocabulary.size();
      return java.util.Arrays.copyOfRange(all, (tokens.length - 1) * v, tokens.length * v);
    }
  }

  private static double learningRate(Options o, int step) {
    int warmup = Math.max(1, o.steps() / 20);
    if (step <= warmup) {
      return o.learningRate() * step / warmup;
    }
    double t = (step - warmup) / (double) Math.max(1, o.steps() - warmup);
    return o.learningRate() * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * t)));
  }

  private record Batch(int length, float[] inputs, float[] targets, float[] selection, float[] nextTokens, float[] weights) {}

  /** Samples of mixed tasks, each BOS + prompt + answer + EOS, right-padded to a common length. */
  private Batch batch(RulerGenerator generator, Options o, int promptLength, int firstIndex, Random random) {
    List<int[]> seqs = new ArrayList<>();
    List<Integer> answerStarts = new ArrayList<>();
    int maxLen = 0;
    for (int b = 0; b < o.batch(); b++) {
      RulerTask task = o.tasks().get(random.nextInt(o.tasks().size()));
      TaskSample sample = generator.generate(task, promptLength, firstIndex + b, 1 + random.nextInt(16));
      int[] prompt = tokenizer.encode(sample.prompt(), true);
      int[] whole = tokenizer.encode(sample.prompt() + answerText(sample), true);
      if (!java.util.Arrays.equals(prompt, 0, prompt.length, whole, 0, prompt.length)) {
        throw new IllegalStateException("the answer merges with the prompt's last token in task " + task.id());
      }
      int[] seq = java.util.Arrays.copyOf(whole, whole.length + 1);
      seq[seq.length - 1] = tokenizer.eos();
      seqs.add(seq);
      answerStarts.add(prompt.length);
      maxLen = Math.max(maxLen, seq.length - 1);
    }
    float[] inputs = new float[o.batch() * maxLen];
    float[] nextTokens = new float[o.batch() * maxLen];
    float[] weights = new float[o.batch() * maxLen];
    List<Integer> rows = new ArrayList<>();
    List<Integer> targetIds = new ArrayList<>();
    int real = 0;
    for (int b = 0; b < seqs.size(); b++) {
      int[] seq = seqs.get(b);
      for (int t = 0; t < maxLen; t++) {
        inputs[b * maxLen + t] = t < seq.length - 1 ? seq[t] : tokenizer.eos();
        nextTokens[b * maxLen + t] = t + 1 < seq.length ? seq[t + 1] : tokenizer.eos();
        if (t + 1 < seq.length) {
          real++;
        }
        // position t predicts token t+1; the answer and its EOS are the task
        if (t + 1 >= answerStarts.get(b) && t + 1 < seq.length) {
          rows.add(b * maxLen + t);
          targetIds.add(seq[t + 1]);
        }
      }
    }
    float[] targets = new float[targetIds.size()];
    float[] selection = new float[targetIds.size() * o.batch() * maxLen];
    for (int b = 0; b < seqs.size(); b++) {
      for (int t = 0; t + 1 < seqs.get(b).length && t < maxLen; t++) {
        weights[b * maxLen + t] = 1f / real;
      }
    }
    for (int i = 0; i < targets.length; i++) {
      targets[i] = targetIds.get(i);
      selection[i * o.batch() * maxLen + rows.get(i)] = 1f;
      weights[rows.get(i)] += 1f / targets.length;
    }
    return new Batch(maxLen, inputs, targets, selection, nextTokens, weights);
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
    p.put("output.weight", normal(m, random, new Shape(v, g.dim()), std));
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
   * The engine's forward pass for a batch: tokens {@code [B, T]} (float ids) to logits {@code [B,
   * T, V]}. Public for the test that checks it against the engine on exported weights.
   */
  NDArray forward(NDManager m, Map<String, NDArray> p, NDArray rotation, NDArray tokens, int length) {
    return forwardHidden(m, p, rotation, tokens, length).matMul(p.get("output.weight").transpose());
  }

  /** Everything but the output projection: the final-normed hidden states {@code [B, T, dim]}. */
  private NDArray forwardHidden(NDManager m, Map<String, NDArray> p, NDArray rotation, NDArray tokens, int length) {
    ProbeGeometry g = geometry;
    long batch = tokens.getShape().get(0);
    NDArray x = tokens.oneHot(vocabulary.size()).matMul(p.get("token_embd.weight"));
    NDArray[] rope = ropeTables(m, length);
    float[] maskData = new float[length * length];
    for (int i = 0; i < length; i++) {
      for (int j = i + 1; j < length; j++) {
        maskData[i * length + j] = -1e9f;
      }
    }
    NDArray causal = m.create(maskData, new Shape(length, length));
    float scale = (float) (1.0 / Math.sqrt(g.headDim()));
    for (int l = 0; l < g.layers(); l++) {
      String b = "blk." + l + ".";
      NDArray h = rmsNorm(x, p.get(b + "attn_norm.weight"));
      NDArray q = h.matMul(p.get(b + "attn_q.weight").transpose()).reshape(batch, length, g.heads(), g.headDim());
      NDArray k = h.matMul(p.get(b + "attn_k.weight").transpose()).reshape(batch, length, g.kvHeads(), g.headDim());
      NDArray v = h.matMul(p.get(b + "attn_v.weight").transpose()).reshape(batch, length, g.kvHeads(), g.headDim());
      q = rope(q, rotation, rope);
      k = rope(k, rotation, rope);
      // query head h = kv * group + g reads KV head kv: [B, KV, G, T, hd] against [B, KV, 1, T, hd]
      NDArray qg = q.reshape(batch, length, g.kvHeads(), g.group(), g.headDim()).transpose(0, 2, 3, 1, 4);
      NDArray kg = k.transpose(0, 2, 1, 3).expandDims(2);
      NDArray vg = v.transpose(0, 2, 1, 3).expandDims(2);
      NDArray scores = qg.matMul(kg.transpose(0, 1, 2, 4, 3)).mul(scale).add(causal);
      NDArray attn = scores.softmax(-1).matMul(vg); // [B, KV, G, T, hd]
      NDArray merged = attn.transpose(0, 3, 1, 2, 4).reshape(batch, length, (long) g.heads() * g.headDim());
      x = x.add(merged.matMul(p.get(b + "attn_output.weight").transpose()));
      NDArray h2 = rmsNorm(x, p.get(b + "ffn_norm.weight"));
      NDArray gate = h2.matMul(p.get(b + "ffn_gate.weight").transpose());
      NDArray up = h2.matMul(p.get(b + "ffn_up.weight").transpose());
      x = x.add(gate.mul(Activation.sigmoid(gate)).mul(up).matMul(p.get(b + "ffn_down.weight").transpose()));
    }
    return rmsNorm(x, p.get("output_norm.weight"));
  }

  private NDArray rmsNorm(NDArray x, NDArray weight) {
    NDArray ms = x.square().mean(new int[] {-1}, true);
    return x.mul(ms.add(geometry.normEps()).pow(-0.5)).mul(weight);
  }

  private static NDArray rope(NDArray x, NDArray rotation, NDArray[] cosSin) {
    return x.mul(cosSin[0]).add(x.matMul(rotation).mul(cosSin[1]));
  }

  private static void adamStep(Map<String, NDArray> params, Map<String, NDArray[]> state, int step, double lr) {
    double b1 = 0.9;
    double b2 = 0.98;
    double eps = 1e-8;
    // global gradient-norm clipping at 1
    double sq = 0;
    for (NDArray p : params.values()) {
      sq += p.getGradient().square().sum().getFloat();
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
  }
}
