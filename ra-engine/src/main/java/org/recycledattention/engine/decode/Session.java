package org.recycledattention.engine.decode;

import static java.util.Objects.requireNonNull;

import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.CacheStats;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.Phase;
import org.recycledattention.model.NumericalException;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.model.llama.SequenceState;
import org.recycledattention.model.tensor.Parallel;

/**
 * One sequence, teacher-forced or generated: the model, a fresh KV cache and a fresh policy. Feed
 * the prompt with {@link #prefill}, then one token at a time with {@link #step}; each returns the
 * logits of the next token.
 *
 * <p>Prefill runs full attention in chunks of up to {@value #PREFILL_CHUNK} tokens (all at once
 * when the backend has {@link BackendCapability#MULTI_QUERY}, else token by token): {@link
 * Phase#PREFILL} for every chunk but the last, {@link Phase#PREFILL_END} for the last, so the
 * policy sees the last prompt token's scores. Steps are {@link Phase#DECODE} with the policy's
 * plans.
 *
 * <p><b>NOTE:</b> not thread-safe; one thread per session. Sessions of one model run concurrently.
 * The returned logits array belongs to the session and is overwritten by the next call. {@link
 * #close()} closes the cache.
 */
public final class Session implements AutoCloseable {
  /** Tokens per prefill forward call when the backend attends several queries at once. */
  public static final int PREFILL_CHUNK = 256;

  private final LanguageModel model;
  private final KvCache cache;
  private final Parallel parallel;
  private final PolicyAttention attention;
  private final SequenceState state;
  private final int capacity;
  private final int chunk;
  private int position;
  private int decodeIndex;
  private long prefillNanos;
  private long decodeNanos;
  private long bytesReadBeforeDecode = -1;
  private boolean closed;
  private final int[] one = new int[1];

  /**
   * @param capacity the most tokens (prompt plus generated) this session will hold
   * @param threads threads for the dense kernels, >= 1
   * @throws GenerationException when the backend lacks a capability the policy needs
   */
  public Session(LanguageModel model, KvCacheBackend backend, PolicyFactory policy, int threads, int capacity) {
    requireNonNull(model, "model is null");
    requireNonNull(backend, "backend is null");
    requireNonNull(policy, "policy is null");
    if (threads < 1) {
      throw new GenerationException("threads must be >= 1, got " + threads);
    }
    if (capacity < 1) {
      throw new GenerationException("a session needs room for at least 1 token, got " + capacity);
    }
    Set<BackendCapability> missing = EnumSet.noneOf(BackendCapability.class);
    missing.addAll(policy.provider().requiredCapabilities());
    missing.removeAll(backend.capabilities());
    if (!missing.isEmpty()) {
      throw new GenerationException("attention policy '" + policy.name() + "' needs backend capabilities " + missing + " that backend '"
          + backend.name() + "' does not have; choose another backend or policy");
    }
    this.model = model;
    this.capacity = capacity;
    this.chunk = backend.capabilities().contains(BackendCapability.MULTI_QUERY) ? PREFILL_CHUNK : 1;
    AttentionPolicy p = policy.create(model.shape());
    KvCache c = backend.allocate(new CacheSpec(model.shape().layers(), model.shape().queryHeads(), model.shape().kvHeads(), model.shape().headDim(), capacity));
    Parallel par = null;
    try {
      this.attention = new PolicyAttention(c, p);
      par = new Parallel(threads);
      attention.shareThreads(par);
      this.state = model.newState(attention, par, chunk);
    } catch (RuntimeException | Error e) {
      c.close();
      if (par != null) {
        par.close();
      }
      throw e;
    }
    this.cache = c;
    this.parallel = par;
  }

  /** Whether the cache runs its attention on this session's kernel threads ({@link KvCache#shareThreads}). */
  boolean attentionOnKernelThreads() {
    return attention.usesKernelThreads();
  }

  /** Tokens fed so far (the position of the next one). */
  public int position() {
    return position;
  }

  public KvCache cache() {
    return cache;
  }

  public LanguageModel model() {
    return model;
  }

  /**
   * Feeds the prompt and returns the logits for the token after it.
   *
   * @throws GenerationException when {@code ids} is empty, an id is outside the vocabulary, the
   *     session was already prefilled, or the prompt does not fit the capacity
   */
  public float[] prefill(int[] ids) {
    return prefill(ids, () -> false);
  }

  /**
   * As {@link #prefill(int[])}, but checks {@code stop} between prefill chunks: when it turns true
   * before the last chunk, returns null and leaves the session partly filled (close it).
   */
  public float[] prefill(int[] ids, BooleanSupplier stop) {
    requireNonNull(stop, "stop is null");
    ensureOpen();
    requireNonNull(ids, "ids is null");
    if (position != 0) {
      throw new IllegalStateException("prefill is called once, on a fresh session (position is " + position + ")");
    }
    if (ids.length == 0) {
      throw new GenerationException("the prompt is empty; give at least one token (usually BOS)");
    }
    for (int i = 0; i < ids.length; i++) {
      checkId(ids[i], "prompt position " + i);
    }
    if (ids.length > capacity) {
      throw new GenerationException("the prompt has " + ids.length + " tokens but the session holds at most " + capacity);
    }
    long t0 = System.nanoTime();
    for (int from = 0; from < ids.length; from += chunk) {
      if (stop.getAsBoolean()) {
        position = from;
        prefillNanos += System.nanoTime() - t0;
        return null;
      }
      int count = Math.min(chunk, ids.length - from);
      Phase phase = from + count == ids.length ? Phase.PREFILL_END : Phase.PREFILL;
      forward(ids, from, count, from, phase, -1);
    }
    position = ids.length;
    prefillNanos += System.nanoTime() - t0;
    bytesReadBeforeDecode = cache.stats().bytesRead();
    return state.logits();
  }

  /**
   * Benchmark support: fills the cache with {@code tokens} entries of random keys and values at
   * positions {@code 0 .. tokens-1} in every layer and KV head, as if a prompt of that length had
   * been prefilled (without the prefill's cost), then feeds {@code last} at position {@code tokens}
   * as the last prompt token ({@link Phase#PREFILL_END}, so the policy makes its first selection)
   * and returns the logits after it. Keys and values are standard normal, seeded by {@code seed}.
   *
   * @throws GenerationException when {@code tokens + 1} exceeds the capacity or {@code last} is not in the vocabulary
   */
  public float[] prefillSynthetic(int tokens, long seed, int last) {
    ensureOpen();
    if (position != 0) {
      throw new IllegalStateException("prefillSynthetic is called once, on a fresh session (position is " + position + ")");
    }
    if (tokens < 0 || (long) tokens + 1 > capacity) {
      throw new GenerationException("a synthetic prefill of " + tokens + " tokens plus one does not fit the session's capacity of " + capacity);
    }
    checkId(last, "the synthetic prompt's last token");
    long t0 = System.nanoTime();
    var shape = model.shape();
    int width = shape.kvHeads() * shape.headDim();
    int chunkTokens = Math.max(1, Math.min(1024, tokens));
    float[] k = new float[chunkTokens * width];
    float[] v = new float[chunkTokens * width];
    int[] positions = new int[chunkTokens];
    SplittableRandom random = new SplittableRandom(seed);
    for (int layer = 0; layer < shape.layers(); layer++) {
      for (int from = 0; from < tokens; from += chunkTokens) {
        int count = Math.min(chunkTokens, tokens - from);
        for (int i = 0; i < count * width; i++) {
          k[i] = (float) random.nextGaussian();
          v[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < count; i++) {
          positions[i] = from + i;
        }
        cache.append(layer, k, v, positions, count);
      }
    }
    one[0] = last;
    forward(one, 0, 1, tokens, Phase.PREFILL_END, -1);
    position = tokens + 1;
    prefillNanos += System.nanoTime() - t0;
    bytesReadBeforeDecode = cache.stats().bytesRead();
    return state.logits();
  }

  /**
   * Feeds one token (the one just chosen, or the next of a teacher-forced stream) and returns the
   * logits for the token after it.
   *
   * @throws GenerationException when the id is outside the vocabulary or the session is full
   */
  public float[] step(int token) {
    ensureOpen();
    if (position == 0) {
      throw new IllegalStateException("call prefill before step");
    }
    checkId(token, "decode step " + decodeIndex);
    if (position >= capacity) {
      throw new GenerationException("the session is full: it holds " + capacity + " tokens; raise the capacity (or the model's context)");
    }
    long t0 = System.nanoTime();
    one[0] = token;
    forward(one, 0, 1, position, Phase.DECODE, decodeIndex);
    decodeNanos += System.nanoTime() - t0;
    position++;
    decodeIndex++;
    return state.logits();
  }

  private void forward(int[] tokens, int from, int count, int at, Phase phase, int index) {
    attention.begin(phase, at + count - 1, index);
    try {
      model.forward(state, tokens, from, count, at);
    } catch (NumericalException e) {
      throw e.during(attention.describeStep());
    }
  }

  private void checkId(int id, String where) {
    int vocab = model.config().vocabSize();
    if (id < 0 || id >= vocab) {
      throw new GenerationException("token id " + id + " at " + where + " is outside the model's vocabulary [0, " + vocab + ")");
    }
  }

  /**
   * Where decode time went so far: nanoseconds in the KV cache's attention ({@code attend}) and in
   * the policy ({@code plan} and {@code observe}, with the selection and gathers they ask of the
   * backend); the rest of {@link GenerationStats#decodeMs()} is the model's dense work. For
   * benchmarks: {@code ra bench} splits step times with it.
   */
  public DecodeTimes decodeTimes() {
    return new DecodeTimes(decodeNanos, attention.decodeAttendNanos(), attention.decodePolicyNanos(), attention.decodeFullSteps(),
        attention.decodePartialSteps(), cache.stats().bytesRead());
  }

  /** Decode steps run so far. */
  public int decodeSteps() {
    return decodeIndex;
  }

  /**
   * Statistics so far. Decode time counts {@link #step} calls only; tokens per second is decode
   * steps over that time.
   */
  public GenerationStats stats() {
    CacheStats cs = cache.stats();
    long layerSteps = attention.decodeFullSteps() + attention.decodePartialSteps();
    double decodeMs = decodeNanos / 1e6;
    return new GenerationStats(prefillNanos / 1e6, decodeMs, decodeNanos == 0 ? 0 : decodeIndex / (decodeNanos / 1e9), attention.decodeFullSteps(),
        attention.decodePartialSteps(), layerSteps == 0 ? 0 : (double) attention.decodeTokensAttended() / layerSteps, attention.decodeWorkingSetChanges(),
        cs.peakResidentBytes(), bytesReadBeforeDecode < 0 ? 0 : cs.bytesRead() - bytesReadBeforeDecode);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the session is closed");
    }
  }

  /** Closes the cache and the kernel threads. Idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      try {
        cache.close();
      } finally {
        parallel.close();
      }
    }
  }
}
