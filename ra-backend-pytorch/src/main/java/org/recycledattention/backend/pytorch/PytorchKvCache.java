package org.recycledattention.backend.pytorch;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.FloatBuffer;
import java.util.Set;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.support.AbstractKvCache;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.plan.ScoreMode;
import org.recycledattention.api.plan.ScoreRequest;
import org.recycledattention.api.plan.StepPlan;

/**
 * A KV cache of libtorch tensors. See the package documentation for the design; in short, per
 * layer a {@link DeviceStore} main store and partial cache, and one attend is one short, fixed
 * sequence of libtorch ops whose temporaries are freed before it returns.
 *
 * <p>Memory: all tensors belong to this cache's DJL sub-manager; {@link #close()} closes it.
 * Argument checks, the closed state and the statistics are {@link AbstractKvCache}'s. Not
 * thread-safe (one cache per sequence).
 */
final class PytorchKvCache extends AbstractKvCache<LayerCache> {
  private static final int MIN_MAIN_CAPACITY = 64;
  private static final int MIN_PARTIAL_CAPACITY = 16;
  private static final long[] ZERO_3 = {0, 0, 0};

  private final CacheSpec spec;
  private final DataType storage;
  private final PtNDManager manager;
  private final Scratch scratch = new Scratch();
  private final LayerCache[] layers;
  private final int kvHeads;
  private final int group;
  private final int headDim;
  private final float scale;
  /** Attend in float32 after widening keys and values (CPU with half storage: libtorch's CPU half matmul is slow). */
  private final boolean widen;

  // Staging for the one-token hot path: CPU tensors written through views of their memory (no
  // JNI call, no Java-owned native memory); on CUDA copied into device twins before use.
  private final PtNDManager host; // CPU manager for staging: the cache's own on the CPU
  private final boolean onGpu;
  private final PtNDArray hostKey; // [kvHeads, headDim, 1] float32
  private final PtNDArray hostValue; // [kvHeads, 1, headDim] float32
  private final PtNDArray hostQuery; // [kvHeads, group, headDim] float32
  private final FloatBuffer keyFloats;
  private final FloatBuffer valueFloats;
  private final FloatBuffer queryFloats;
  private final PtNDArray deviceKey; // the same tensors on the CPU
  private final PtNDArray deviceValue;
  private final PtNDArray deviceQuery;
  private final PtNDArray minusInf; // float32 scalar on the device, for causal masks

  PytorchKvCache(String backend, Set<BackendCapability> capabilities, CacheSpec spec, PtNDManager manager, KvDtype dtype) {
    super(backend, capabilities, spec, dtype);
    this.spec = spec;
    this.manager = requireNonNull(manager, "manager is null");
    this.storage = Tensors.storageType(dtype);
    this.kvHeads = spec.kvHeads();
    this.group = spec.groupSize();
    this.headDim = spec.headDim();
    this.scale = (float) (1.0 / Math.sqrt(headDim));
    this.widen = dtype != KvDtype.F32 && !manager.getDevice().isGpu();
    try {
      this.onGpu = manager.getDevice().isGpu();
      this.host = onGpu ? (PtNDManager) manager.newSubManager(Device.cpu()) : manager;
      this.hostKey = Tensors.empty(host, DataType.FLOAT32, kvHeads, headDim, 1);
      this.hostValue = Tensors.empty(host, DataType.FLOAT32, kvHeads, 1, headDim);
      this.hostQuery = Tensors.empty(host, DataType.FLOAT32, kvHeads, group, headDim);
      this.keyFloats = Tensors.floats(hostKey);
      this.valueFloats = Tensors.floats(hostValue);
      this.queryFloats = Tensors.floats(hostQuery);
      this.deviceKey = onGpu ? Tensors.empty(manager, DataType.FLOAT32, kvHeads, headDim, 1) : hostKey;
      this.deviceValue = onGpu ? Tensors.empty(manager, DataType.FLOAT32, kvHeads, 1, headDim) : hostValue;
      this.deviceQuery = onGpu ? Tensors.empty(manager, DataType.FLOAT32, kvHeads, group, headDim) : hostQuery;
      PtNDArray minusInfHost = Tensors.empty(host, DataType.FLOAT32);
      Tensors.floats(minusInfHost).put(0, Float.NEGATIVE_INFINITY);
      this.minusInf = onGpu ? JniUtils.to(minusInfHost, DataType.FLOAT32, manager.getDevice()) : minusInfHost;
      this.layers = new LayerCache[spec.layers()];
      for (int l = 0; l < layers.length; l++) {
        layers[l] = new LayerCache(this, l,
            new DeviceStore(manager, host, scratch, storage, kvHeads, headDim, MIN_MAIN_CAPACITY, spec.maxTokens(), 0),
            new DeviceStore(manager, host, scratch, storage, kvHeads, headDim, MIN_PARTIAL_CAPACITY, spec.maxTokens(), 1));
      }
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  @Override
  protected LayerCache layerAt(int layer) {
    return layers[layer];
  }

  @Override
  protected void store(LayerCache lc, float[] k, float[] v, int[] positions, int tokens) {
    int row = kvHeads * headDim;
    lc.changing();
    int mark = scratch.mark();
    try {
      if (tokens == 1) {
        keyFloats.put(0, k, 0, row);
        valueFloats.put(0, v, 0, row);
        if (onGpu) {
          Tensors.assign(deviceKey, hostKey, ZERO_3, new long[] {kvHeads, headDim, 1});
          Tensors.assign(deviceValue, hostValue, ZERO_3, new long[] {kvHeads, 1, headDim});
        }
        lc.main.append(deviceKey, deviceValue, positions, 1);
      } else {
        // reorder on the host into the store layouts: keys [kv, d, T], values [kv, T, d]
        PtNDArray keys = scratch.add(Tensors.empty(host, DataType.FLOAT32, kvHeads, headDim, tokens));
        PtNDArray values = scratch.add(Tensors.empty(host, DataType.FLOAT32, kvHeads, tokens, headDim));
        FloatBuffer kf = Tensors.floats(keys);
        FloatBuffer vf = Tensors.floats(values);
        for (int t = 0; t < tokens; t++) {
          for (int h = 0; h < kvHeads; h++) {
            int src = t * row + h * headDim;
            for (int j = 0; j < headDim; j++) {
              kf.put((h * headDim + j) * tokens + t, k[src + j]);
            }
            vf.put((h * tokens + t) * headDim, v, src, headDim);
          }
        }
        lc.main.append(Tensors.toDevice(keys, manager.getDevice(), scratch), Tensors.toDevice(values, manager.getDevice(), scratch),
            positions, tokens);
      }
    } finally {
      scratch.release(mark);
    }
  }

  @Override
  protected AttentionResult compute(LayerCache lc, float[] q, int queries, StepPlan plan, float[] out) {
    lc.changing();
    int mark = scratch.mark();
    try {
      DeviceStore source;
      int attended;
      switch (plan) {
        case StepPlan.Full _ -> {
          attended = lc.main.length();
          source = lc.main;
        }
        case StepPlan.Partial _ -> {
          lc.partial.stageNewestOf(lc.main);
          attended = lc.partial.length() + 1;
          source = lc.partial;
        }
      }
      PtNDArray queryTensor = uploadQueries(q, queries);
      PtNDArray keys = scratch.add(source.keysView(attended)); // [kv, d, L]
      PtNDArray values = scratch.add(source.valuesView(attended)); // [kv, L, d]
      if (widen) {
        keys = scratch.add(keys.toType(DataType.FLOAT32, false));
        values = scratch.add(values.toType(DataType.FLOAT32, false));
      } else if (storage != DataType.FLOAT32) {
        queryTensor = scratch.add(queryTensor.toType(storage, false));
      }
      PtNDArray logits = scratch.add(JniUtils.matmul(queryTensor, keys)); // [kv, Q*g, L]
      if (queries > 1) {
        logits = causalMask(logits, queries, attended);
      }
      PtNDArray probs = scratch.add(JniUtils.softmax(logits, 2, DataType.FLOAT32)); // always float32
      PtNDArray weights = probs.getDataType() == values.getDataType() ? probs : scratch.add(probs.toType(values.getDataType(), false));
      PtNDArray output = scratch.add(JniUtils.matmul(weights, values)); // [kv, Q*g, d]
      if (output.getDataType() != DataType.FLOAT32) {
        output = scratch.add(output.toType(DataType.FLOAT32, false));
      }
      readOutput(output, out, queries);
      DeviceScores scores = null;
      if (plan.scores().wanted()) {
        scores = lc.keepScores(reduceScores(probs, queries, attended, plan.scores()), attended);
      }
      return new AttentionResult(attended, scores);
    } finally {
      scratch.release(mark);
    }
  }

  /** Query {@code i} of {@code Q} reads entries {@code 0 .. L - Q + i}: the rest become -inf. */
  private PtNDArray causalMask(PtNDArray logits, int queries, int length) {
    PtNDArray byQuery = scratch.add(JniUtils.reshape(logits, new long[] {kvHeads, queries, group, length}));
    PtNDArray columns = scratch.add(JniUtils.arange(manager, 0, length, 1, DataType.INT64, manager.getDevice(), SparseFormat.DENSE));
    PtNDArray lastVisible = scratch.add(JniUtils.arange(manager, length - queries, length, 1, DataType.INT64, manager.getDevice(), SparseFormat.DENSE));
    PtNDArray limits = scratch.add(JniUtils.reshape(lastVisible, new long[] {queries, 1, 1}));
    PtNDArray hidden = scratch.add(JniUtils.gt(columns, limits)); // [Q, 1, L]
    PtNDArray fill = logits.getDataType() == DataType.FLOAT32 ? minusInf : scratch.add(minusInf.toType(logits.getDataType(), false));
    PtNDArray masked = scratch.add(JniUtils.where(hidden, fill, byQuery));
    return scratch.add(JniUtils.reshape(masked, new long[] {kvHeads, queries * group, length}));
  }

  /**
   * The probabilities {@code [kv, Q*g, L]} as the request says, {@code [kv, L]} float32, owned by the
   * caller: each query's probabilities are reduced over the group, then the last query's are taken
   * ({@code LAST_QUERY}) or all queries' summed ({@code SUM}).
   */
  private PtNDArray reduceScores(PtNDArray probs, int queries, int length, ScoreRequest request) {
    long[] flat = {kvHeads, length};
    if (queries == 1) { // [kv, g, L]: both modes are the one query's probabilities
      return JniUtils.reshape(scratch.add(reduceGroup(probs, 1, request.reduction())), flat);
    }
    PtNDArray byQuery = scratch.add(JniUtils.reshape(probs, new long[] {kvHeads, queries, group, length}));
    PtNDArray perQuery = scratch.add(reduceGroup(byQuery, 2, request.reduction())); // [kv, Q, 1, L]
    PtNDArray picked = request.mode() == ScoreMode.SUM
        ? JniUtils.sum(perQuery, new long[] {1}, false)
        : JniUtils.slice(perQuery, 1, queries - 1, queries, 1);
    return JniUtils.reshape(scratch.add(picked), flat);
  }

  /** Reduces dimension {@code dim} (the group, size {@code group}) to size 1. */
  private PtNDArray reduceGroup(PtNDArray x, int dim, GroupReduction reduction) {
    return switch (reduction) {
      case MAX -> maxOverGroup(x, dim);
      case MEAN -> JniUtils.mean(x, dim, true);
      case FIRST -> JniUtils.slice(x, dim, 0, 1, 1);
    };
  }

  /**
   * {@code max} over dimension {@code dim} as a halving tree of elementwise maxima (libtorch's {@code
   * max(dim)} also computes arg-max indices and measured 1.5-2x slower here). The result is a new
   * handle; intermediates go to the scratch.
   */
  private PtNDArray maxOverGroup(PtNDArray x, int dim) {
    if (group == 1) {
      return JniUtils.slice(x, dim, 0, 1, 1);
    }
    PtNDArray rows = x;
    int size = group;
    while (true) {
      int half = size / 2;
      PtNDArray low = scratch.add(JniUtils.slice(rows, dim, 0, half, 1));
      PtNDArray high = scratch.add(JniUtils.slice(rows, dim, half, 2 * half, 1));
      PtNDArray merged = JniUtils.max(low, high); // elementwise maximum
      if (size % 2 == 1) { // the odd row out joins every row (broadcast over dim)
        PtNDArray odd = scratch.add(JniUtils.slice(rows, dim, size - 1, size, 1));
        PtNDArray withOdd = JniUtils.max(scratch.add(merged), odd);
        merged = withOdd;
      }
      if (half == 1) {
        return merged;
      }
      rows = scratch.add(merged);
      size = half;
    }
  }

  /** Scales q by 1/sqrt(d) and uploads it as {@code [kv, Q*g, d]} (query-major within a KV head). */
  private PtNDArray uploadQueries(float[] q, int queries) {
    int width = spec.queryHeads() * headDim;
    if (queries == 1) {
      for (int i = 0; i < width; i++) {
        queryFloats.put(i, q[i] * scale);
      }
      if (onGpu) {
        Tensors.assign(deviceQuery, hostQuery, ZERO_3, new long[] {kvHeads, group, headDim});
      }
      return deviceQuery;
    }
    PtNDArray t = scratch.add(Tensors.empty(host, DataType.FLOAT32, kvHeads, (long) queries * group, headDim));
    FloatBuffer tf = Tensors.floats(t);
    int block = group * headDim;
    for (int i = 0; i < queries; i++) {
      for (int h = 0; h < kvHeads; h++) {
        int src = i * width + h * block;
        int dst = (h * queries + i) * block;
        for (int j = 0; j < block; j++) {
          tf.put(dst + j, q[src + j] * scale);
        }
      }
    }
    return Tensors.toDevice(t, manager.getDevice(), scratch);
  }

  /** {@code [kv, Q*g, d]} float32 back to the caller's {@code [Q, H, d]}. */
  private void readOutput(PtNDArray output, float[] out, int queries) {
    FloatBuffer fb = Tensors.host(output, true, scratch).asFloatBuffer();
    int width = spec.queryHeads() * headDim;
    if (queries == 1) {
      fb.get(0, out, 0, width);
      return;
    }
    int block = group * headDim;
    for (int i = 0; i < queries; i++) {
      for (int h = 0; h < kvHeads; h++) {
        fb.get((h * queries + i) * block, out, i * width + h * block, block);
      }
    }
  }

  @Override
  protected void free() {
    for (LayerCache lc : layers) {
      lc.close();
    }
    manager.close();
  }

  // --- package-private plumbing for LayerCache, DeviceScores ---

  /** @throws IllegalStateException after close (for the scores this cache handed out) */
  void ensureOpen() {
    checkOpen();
  }

  Scratch scratch() {
    return scratch;
  }

  PtNDManager manager() {
    return manager;
  }

  /** The CPU manager staging tensors live in (the cache's own manager on the CPU). */
  PtNDManager host() {
    return host;
  }
}
