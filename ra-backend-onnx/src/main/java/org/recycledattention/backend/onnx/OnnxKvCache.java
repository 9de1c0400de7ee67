package org.recycledattention.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.recycledattention.api.RaException;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.support.AbstractKvCache;
import org.recycledattention.api.plan.ScoreMode;
import org.recycledattention.api.plan.StepPlan;

/**
 * The onnx backend's cache: per layer an {@link OnnxLayer} in native memory; attention runs the
 * backend's cached attention session over tensors that wrap that memory.
 *
 * <h2>One attend call</h2>
 * The queries are copied into a native scratch buffer, head-major ({@code [kvHeads][queries·group]
 * [headDim]}; for one query that is the engine's layout, so a single bulk copy); each KV head's
 * first {@code n} key and value rows are wrapped as {@code [n, headDim]} tensors without a copy;
 * the per-head outputs and the scores are <em>pinned</em> outputs, so ONNX Runtime writes them
 * straight into native buffers this cache owns. After the run the output
 * is copied to the caller's array and every tensor handle is closed. No n-sized array is allocated
 * on the Java heap.
 *
 * <p>Argument checks, the closed state and the statistics are {@link AbstractKvCache}'s. Not
 * thread-safe (one thread per cache); different caches of one backend may run concurrently.
 */
final class OnnxKvCache extends AbstractKvCache<OnnxLayer> {
  private final OnnxBackend backend;
  private final OrtEnvironment env;
  private final CacheSpec spec;
  private final OnnxLayer[] layers;
  private final NativeBuffer queryBuffer = new NativeBuffer();
  private final NativeBuffer outputBuffer = new NativeBuffer();
  private final NativeBuffer limitBuffer = new NativeBuffer();
  private final NativeBuffer argBuffer = new NativeBuffer();

  OnnxKvCache(OnnxBackend backend, CacheSpec spec) {
    super(backend.name(), backend.capabilities(), spec, KvDtype.F32);
    this.backend = backend;
    this.env = backend.env();
    this.spec = spec;
    this.layers = new OnnxLayer[spec.layers()];
    for (int l = 0; l < layers.length; l++) {
      layers[l] = new OnnxLayer(this, l, spec.kvHeads(), spec.headDim(), spec.maxTokens());
    }
  }

  @Override
  protected OnnxLayer layerAt(int layer) {
    return layers[layer];
  }

  @Override
  protected void store(OnnxLayer layer, float[] k, float[] v, int[] positions, int tokens) {
    layer.store(k, v, positions, tokens);
  }

  @Override
  protected AttentionResult compute(OnnxLayer store, float[] q, int queries, StepPlan plan, float[] out) {
    backend.checkOpen();
    int kvHeads = spec.kvHeads();
    int group = spec.groupSize();
    int dim = spec.headDim();
    int qFloats = queries * spec.queryHeads() * dim;
    int length = store.main.length;
    boolean partial = plan instanceof StepPlan.Partial;
    NativeRows rows;
    int entries;
    if (partial) {
      entries = store.stageCurrentToken();
      rows = store.partial;
    } else {
      entries = length;
      rows = store.main;
    }
    ScoreMode mode = plan.scores().mode();
    if (mode == ScoreMode.SUM && queries == 1) {
      mode = ScoreMode.LAST_QUERY; // the same numbers; one session fewer
    }
    boolean causal = queries > 1;
    GraphKey.Attention key = new GraphKey.Attention(kvHeads, group, dim, causal, mode, plan.scores().reduction());
    OrtSession session = backend.session(key);

    store.version++; // earlier scores of this layer are stale from here on
    int rowsPerHead = queries * group;
    int headFloats = rowsPerHead * dim;
    MemorySegment qSeg = queryBuffer.ensure((long) qFloats * Float.BYTES);
    MemorySegment outSeg = outputBuffer.ensure((long) qFloats * Float.BYTES);
    if (queries == 1) {
      MemorySegment.copy(q, 0, qSeg, ValueLayout.JAVA_FLOAT, 0, qFloats); // [kvHeads][group][dim] already
    } else {
      regroup(q, qSeg, queries, true);
    }
    long[] headShape = {rowsPerHead, dim};
    long[] rowShape = {entries, dim};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    Map<String, OnnxTensor> pinned = new HashMap<>();
    try {
      for (int h = 0; h < kvHeads; h++) {
        inputs.put(Graphs.queryInput(h), tensor(queryBuffer.floats((long) h * headFloats, headFloats), headShape));
        inputs.put(Graphs.keyInput(h), tensor(rows.keys(h, entries), rowShape));
        inputs.put(Graphs.valueInput(h), tensor(rows.values(h, entries), rowShape));
        pinned.put(Graphs.outputName(h), tensor(outputBuffer.floats((long) h * headFloats, headFloats), headShape));
      }
      if (causal) {
        limitBuffer.ensure((long) rowsPerHead * Long.BYTES);
        LongBuffer limits = limitBuffer.longs(rowsPerHead);
        for (int r = 0; r < rowsPerHead; r++) {
          limits.put(r, (long) entries - queries + r / group);
        }
        inputs.put("limit", tensor(limits, new long[] {rowsPerHead, 1}));
      }
      if (mode != ScoreMode.NONE) {
        long scoreFloats = (long) kvHeads * entries;
        store.scores.ensure(scoreFloats * Float.BYTES);
        pinned.put("scores", tensor(store.scores.floats(scoreFloats), new long[] {kvHeads, entries}));
      }
      try (OrtSession.Result ignored = session.run(inputs, pinned)) {
        // outputs are pinned: nothing to read from the result
      }
    } catch (OrtException e) {
      throw new RaException("ONNX Runtime failed to run the " + key.describe() + " over " + entries + " entries: " + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
      pinned.values().forEach(OnnxTensor::close);
    }
    if (queries == 1) {
      MemorySegment.copy(outSeg, ValueLayout.JAVA_FLOAT, 0, out, 0, qFloats);
    } else {
      regroup(out, outSeg, queries, false);
    }
    OnnxScores scores = mode == ScoreMode.NONE ? null : new OnnxScores(this, store, kvHeads, entries);
    return new AttentionResult(entries, scores);
  }

  /**
   * Moves head vectors between the engine's token-major {@code [queries][kvHeads][group][dim]}
   * ({@code array}) and the graph's head-major {@code [kvHeads][queries][group][dim]} ({@code
   * segment}): into the segment when {@code toSegment}, back otherwise.
   */
  private void regroup(float[] array, MemorySegment segment, int queries, boolean toSegment) {
    int kvHeads = spec.kvHeads();
    int run = spec.groupSize() * spec.headDim(); // one KV head's group of one query: contiguous on both sides
    for (int i = 0; i < queries; i++) {
      for (int h = 0; h < kvHeads; h++) {
        int a = (i * kvHeads + h) * run;
        long b = ((long) h * queries + i) * run * Float.BYTES;
        if (toSegment) {
          MemorySegment.copy(array, a, segment, ValueLayout.JAVA_FLOAT, b, run);
        } else {
          MemorySegment.copy(segment, ValueLayout.JAVA_FLOAT, b, array, a, run);
        }
      }
    }
  }

  /** What the selection graph picked: {@code kvHeads × need} slots and scores, {@code kvHeads × recent} recent scores. */
  record Picked(long[] slots, float[] scores, float[] recent) {}

  /** Runs the selection graph over {@code layer}'s current scores ({@code kvHeads × length}). */
  Picked select(OnnxLayer layer, int kvHeads, int length, int poolKernel, int keep, int need) {
    backend.checkOpen();
    OrtSession session = backend.session(new GraphKey.Selection(poolKernel));
    argBuffer.ensure(2L * Long.BYTES);
    Map<String, OnnxTensor> inputs = new HashMap<>();
    List<OnnxTensor> all = new ArrayList<>();
    try {
      LongBuffer args = argBuffer.longs(2);
      args.put(0, keep).put(1, need);
      inputs.put("scores", tensor(layer.scores.floats((long) kvHeads * length), new long[] {kvHeads, length}));
      inputs.put("keep", tensor(args.slice(0, 1), new long[] {1}));
      inputs.put("k", tensor(args.slice(1, 1), new long[] {1}));
      all.addAll(inputs.values());
      try (OrtSession.Result r = session.run(inputs)) {
        OnnxTensor slots = (OnnxTensor) r.get("slots").orElseThrow();
        OnnxTensor selected = (OnnxTensor) r.get("selected").orElseThrow();
        OnnxTensor recent = (OnnxTensor) r.get("recent").orElseThrow();
        long[] s = new long[kvHeads * need];
        slots.getLongBuffer().get(s);
        float[] v = new float[kvHeads * need];
        selected.getFloatBuffer().get(v);
        float[] rv = new float[kvHeads * (length - keep)];
        recent.getFloatBuffer().get(rv);
        return new Picked(s, v, rv);
      }
    } catch (OrtException e) {
      throw new RaException("ONNX Runtime failed to run the " + new GraphKey.Selection(poolKernel).describe() + " over " + length
          + " entries: " + e.getMessage(), e);
    } finally {
      all.forEach(OnnxTensor::close);
    }
  }

  private OnnxTensor tensor(FloatBuffer data, long[] shape) throws OrtException {
    return OnnxTensor.createTensor(env, data, shape);
  }

  private OnnxTensor tensor(LongBuffer data, long[] shape) throws OrtException {
    return OnnxTensor.createTensor(env, data, shape);
  }

  /** Native bytes reserved for keys and values, spare capacity included (tests). */
  long reservedBytes() {
    long sum = 0;
    for (OnnxLayer l : layers) {
      sum += l.main.reservedBytes() + (l.partial == null ? 0 : l.partial.reservedBytes());
    }
    return sum;
  }

  /** @throws IllegalStateException after close (for the scores this cache handed out) */
  void ensureOpen() {
    checkOpen();
  }

  @Override
  protected void free() {
    for (OnnxLayer l : layers) {
      l.free();
    }
    queryBuffer.close();
    outputBuffer.close();
    limitBuffer.close();
    argBuffer.close();
  }
}
