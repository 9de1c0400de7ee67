package org.recycledattention.model.llama;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.model.NumericalException;
import org.recycledattention.model.format.LayerWeights;
import org.recycledattention.model.format.LoadedWeights;
import org.recycledattention.model.format.ModelFiles;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.format.Weights;
import org.recycledattention.model.tensor.FloatTensor;
import org.recycledattention.model.tensor.MatMul;
import org.recycledattention.model.tensor.Parallel;
import org.recycledattention.model.tokenizer.Tokenizer;

/**
 * The Llama-family forward pass (Llama 2/3, Mistral, Qwen2, TinyLlama, SmolLM): RMSNorm, q/k/v
 * projections (with Qwen2's biases), RoPE, attention through the sequence's {@link Attention}, output
 * projection, residual, SwiGLU MLP, final norm, logits.
 *
 * <p>The model itself is read-only and thread-safe; all per-sequence data is in a {@link SequenceState}.
 */
public final class LlamaModel implements LanguageModel {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private final LoadedWeights loaded;
  private final ModelConfig config;
  private final Weights weights;
  private final Tokenizer tokenizer;
  private final Rope rope;
  private final float[][] attnNorm;
  private final float[][] ffnNorm;
  private final float[][] bq;
  private final float[][] bk;
  private final float[][] bv;
  private final float[] outputNorm;
  /** Per layer: {wq, wk, wv} and {gate, up}, the products that share an input (one parallel region each). */
  private final FloatTensor[][] qkv;
  private final FloatTensor[][] gateUp;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * @param loaded the weights; the model owns them from now on and closes them in {@link #close()}
   * @param tokenizer the tokenizer of the model, or {@code null}
   */
  public LlamaModel(LoadedWeights loaded, Tokenizer tokenizer) {
    this.loaded = requireNonNull(loaded, "loaded is null");
    this.config = loaded.config();
    this.weights = loaded.weights();
    this.tokenizer = tokenizer;
    weights.checkShapes(config, loaded.source());
    this.rope = new Rope(config);
    List<LayerWeights> layers = weights.layers();
    int n = layers.size();
    qkv = new FloatTensor[n][];
    gateUp = new FloatTensor[n][];
    attnNorm = new float[n][];
    ffnNorm = new float[n][];
    bq = new float[n][];
    bk = new float[n][];
    bv = new float[n][];
    // norms and biases are tiny: keep them on the heap for plain element access
    for (int l = 0; l < n; l++) {
      LayerWeights w = layers.get(l);
      qkv[l] = new FloatTensor[] {w.wq(), w.wk(), w.wv()};
      gateUp[l] = new FloatTensor[] {w.gate(), w.up()};
      attnNorm[l] = w.attnNorm().toArray();
      ffnNorm[l] = w.ffnNorm().toArray();
      if (w.hasQkvBias()) {
        bq[l] = w.bq().toArray();
        bk[l] = w.bk().toArray();
        bv[l] = w.bv().toArray();
      }
    }
    outputNorm = weights.outputNorm().toArray();
  }

  @Override
  public ModelShape shape() {
    return config.shape();
  }

  @Override
  public ModelConfig config() {
    return config;
  }

  /** The tensors (memory-mapped, read-only). */
  public Weights weights() {
    return weights;
  }

  /** The format, metadata and source the model came from. */
  public LoadedWeights loaded() {
    return loaded;
  }

  @Override
  public Optional<Tokenizer> tokenizer() {
    return Optional.ofNullable(tokenizer);
  }

  @Override
  public Path source() {
    return loaded.source();
  }

  @Override
  public Map<String, Object> metadata() {
    return loaded.metadata();
  }

  @Override
  public String description() {
    return loaded.description();
  }

  @Override
  public SequenceState newState(Attention attention, Parallel parallel, int maxChunk) {
    ensureOpen();
    return new SequenceState(config, attention, parallel, maxChunk);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Before each pass the model's files are checked to be unchanged (at most every 2 ms: {@link
   * ModelFiles#pollUnchanged()}), and a fault reading a truncated mapping during the pass is
   * reported the same way: as a {@link org.recycledattention.model.ModelFileChangedException} naming
   * the file, never a JVM error.
   */
  @Override
  public void forward(SequenceState s, int[] tokens, int from, int count, int position) {
    ensureOpen();
    ModelFiles files = loaded.files();
    files.pollUnchanged();
    try {
      pass(s, tokens, from, count, position);
    } catch (InternalError e) {
      Throwable t = files.translate(e);
      if (t instanceof RuntimeException r) {
        throw r;
      }
      throw (Error) t;
    }
  }

  private void pass(SequenceState s, int[] tokens, int from, int count, int position) {
    if (count < 1 || count > s.maxChunk) {
      throw new IllegalArgumentException("a forward call takes 1 to " + s.maxChunk + " tokens, got " + count);
    }
    int dim = config.dim();
    int hd = config.headDim();
    int half = hd / 2;
    int qDim = config.heads() * hd;
    int kvDim = config.kvHeads() * hd;
    int ffn = config.ffnDim();
    Parallel par = s.parallel;
    float[] x = s.x;
    float[] xb = s.xb;
    float[] xb2 = s.xb2;
    float[] q = s.query(count, qDim);
    for (int t = 0; t < count; t++) {
      int id = tokens[from + t];
      if (id < 0 || id >= config.vocabSize()) {
        throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + config.vocabSize() + ")");
      }
      weights.tokenEmbedding().copyRow(id, x, t * dim);
      s.positions[t] = position + t;
      rope.table(position + t, s.cos, s.sin, t * half);
    }
    List<LayerWeights> layers = weights.layers();
    for (int l = 0; l < layers.size(); l++) {
      LayerWeights w = layers.get(l);
      for (int t = 0; t < count; t++) {
        rmsnorm(xb, t * dim, x, t * dim, attnNorm[l], dim);
      }
      s.input.set(xb, count, dim);
      if (count == 1) {
        MatMul.matvecs(qkv[l], s.input, s.qkvOut, par);
      } else {
        MatMul.matmul(w.wq(), s.input, q, par);
        MatMul.matmul(w.wk(), s.input, s.k, par);
        MatMul.matmul(w.wv(), s.input, s.v, par);
      }
      if (bq[l] != null) {
        for (int t = 0; t < count; t++) {
          addInPlace(q, t * qDim, bq[l]);
          addInPlace(s.k, t * kvDim, bk[l]);
          addInPlace(s.v, t * kvDim, bv[l]);
        }
      }
      for (int t = 0; t < count; t++) {
        rotate(q, t * qDim, config.heads(), s, t * half);
        rotate(s.k, t * kvDim, config.kvHeads(), s, t * half);
      }
      if (!s.attention.usesKernelThreads()) {
        par.rest(); // attention runs on other threads: leave them the cores
      }
      s.attention.attend(l, q, s.k, s.v, s.positions, count, s.att);
      MatMul.matmul(w.wo(), s.input.set(s.att, count, qDim), xb2, par);
      addInPlace(x, xb2, count * dim);
      for (int t = 0; t < count; t++) {
        rmsnorm(xb, t * dim, x, t * dim, ffnNorm[l], dim);
      }
      s.input.set(xb, count, dim);
      if (count == 1) {
        MatMul.matvecs(gateUp[l], s.input, s.gateUpOut, par);
      } else {
        MatMul.matmul(w.gate(), s.input, s.hb, par);
        MatMul.matmul(w.up(), s.input, s.hb2, par);
      }
      swiglu(s.hb, s.hb2, count * ffn);
      MatMul.matmul(w.down(), s.input.set(s.hb, count, ffn), xb2, par);
      addInPlace(x, xb2, count * dim);
      if (!finite(x, count * dim)) {
        throw new NumericalException("the output of layer " + l, l, position + count - 1, "the model's weights are broken or its numbers overflow");
      }
    }
    int last = (count - 1) * dim;
    rmsnorm(xb, 0, x, last, outputNorm, dim);
    MatMul.matvec(weights.output(), s.input.set(xb, 1, dim), s.logits, 0, par);
    if (!finite(s.logits, s.logits.length)) {
      throw new NumericalException("the logits", -1, position + count - 1, "the output weights are broken");
    }
  }

  private void rotate(float[] v, int offset, int heads, SequenceState s, int tableOffset) {
    rope.rotate(v, offset, heads, s.cos, s.sin, tableOffset);
  }

  /** {@code out = x / rms(x) · w}, in f32 as llama2.c computes it. */
  private void rmsnorm(float[] out, int outOffset, float[] x, int xOffset, float[] w, int n) {
    // ggml's rms_norm: the squares in f32, their sum and mean in double, the scale in f32
    double sum = 0;
    for (int i = 0; i < n; i++) {
      float v = x[xOffset + i];
      sum += v * v;
    }
    float scale = 1f / (float) Math.sqrt((float) (sum / n + config.normEps()));
    for (int i = 0; i < n; i++) {
      out[outOffset + i] = x[xOffset + i] * scale * w[i];
    }
  }

  private static void addInPlace(float[] x, int offset, float[] b) {
    for (int i = 0; i < b.length; i++) {
      x[offset + i] += b[i];
    }
  }

  private static void addInPlace(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      x[i] += y[i];
    }
  }

  /**
   * {@code h1 = silu(h1) · h3}, {@code silu(g) = g / (1 + e^-g)}. The vector {@code EXP} is within
   * an ulp or two of {@code Math.exp} and several times faster.
   */
  private static void swiglu(float[] h1, float[] h3, int n) {
    int i = 0;
    int upper = F.loopBound(n);
    for (; i < upper; i += F.length()) {
      FloatVector g = FloatVector.fromArray(F, h1, i);
      FloatVector e = g.neg().lanewise(VectorOperators.EXP);
      g.div(e.add(1f)).mul(FloatVector.fromArray(F, h3, i)).intoArray(h1, i);
    }
    for (; i < n; i++) {
      float g = h1[i];
      h1[i] = g / (1f + (float) Math.exp(-g)) * h3[i];
    }
  }

  private static boolean finite(float[] a, int n) {
    float sum = 0f;
    for (int i = 0; i < n; i++) {
      sum += a[i] * 0f;
    }
    return sum == 0f;
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the model " + loaded.source() + " is closed");
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        loaded.resources().close();
      } catch (Exception e) {
        throw new IllegalStateException("closing " + loaded.source() + " failed: " + e.getMessage(), e);
      }
    }
  }
}
