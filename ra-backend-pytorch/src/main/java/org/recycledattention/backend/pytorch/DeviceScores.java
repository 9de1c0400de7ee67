package org.recycledattention.backend.pytorch;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.recycledattention.api.cache.ScoreMath;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.support.AbstractScores;

/**
 * Group-reduced attention probabilities of one attend, kept on the device as a float32 {@code
 * [kvHeads, length]} tensor owned by the layer. Valid until the layer's next change, then closed.
 *
 * <h2>Top-K on the device</h2>
 * {@link #topK} reproduces {@link ScoreMath#topK} exactly and moves only the selected slots and
 * their pooled scores to the host:
 * <ol>
 *   <li>max-pool with libtorch's {@code max_pool1d} (stride 1, padding {@code kernel/2}; its padding
 *       is {@code -inf}, so windows are clipped to the sequence exactly as in {@code
 *       ScoreMath.maxPool});
 *   <li>the last {@code keepRecent} slots are taken; among the others the {@code need} largest;
 *   <li>ties: torch's {@code topk} orders equal values arbitrarily (and pooling makes plateaus of
 *       equal values common), so its indices are not used. Only the {@code need}-th largest value
 *       {@code t} is taken from it; then every slot above {@code t} is selected, plus the lowest
 *       slots equal to {@code t} (a cumulative count over the tie mask) until {@code need} are
 *       chosen. This is exact, deterministic, and already ascending: {@code nonzero} of the mask
 *       lists each head's slots in order, so no sort is needed.
 * </ol>
 * Scores containing NaN (never produced by a softmax of finite logits) fall back to the host
 * definition.
 *
 * <p>Not thread-safe.
 */
final class DeviceScores extends AbstractScores {
  private final PytorchKvCache cache;
  private final int layer;
  private final int length;
  private PtNDArray values; // [kvHeads, length] float32; null once stale

  DeviceScores(PytorchKvCache cache, int layer, PtNDArray values, int kvHeads, int length) {
    super(kvHeads);
    this.cache = requireNonNull(cache, "cache is null");
    this.layer = layer;
    this.values = requireNonNull(values, "values is null");
    this.length = length;
  }

  void invalidate() {
    if (values != null) {
      values.close();
      values = null;
    }
  }

  @Override
  public int length() {
    return length;
  }

  @Override
  protected void copyRow(int kvHead, float[] dst) {
    Scratch s = cache.scratch();
    int mark = s.mark();
    try {
      Tensors.readFloats(s.add(JniUtils.slice(values, 0, kvHead, kvHead + 1, 1)), dst, 0, length, s);
    } finally {
      s.release(mark);
    }
  }

  @Override
  protected Selection select(int k, int poolKernel, int keepRecent) {
    int kvHeads = kvHeads();
    int n = Math.min(k, length);
    int[][] slots = new int[kvHeads][n];
    float[][] selected = new float[kvHeads][n];
    if (n == 0) {
      return new Selection(slots, selected);
    }
    int recent = Math.min(Math.max(keepRecent, 0), n);
    int need = n - recent;
    int candidates = length - recent;
    Scratch s = cache.scratch();
    int mark = s.mark();
    try {
      PtNDArray pooled = values;
      if (poolKernel > 1) {
        PtNDArray batched = s.add(JniUtils.reshape(values, new long[] {1, kvHeads, length}));
        PtNDArray pooled3 = s.add(JniUtils.maxPool(batched, new Shape(poolKernel), new Shape(1), new Shape(poolKernel / 2), false));
        pooled = s.add(JniUtils.reshape(pooled3, new long[] {kvHeads, length}));
      }
      if (need == candidates) { // n == length: every slot is selected
        float[] all = new float[kvHeads * length];
        Tensors.readFloats(pooled, all, 0, all.length, s);
        for (int h = 0; h < kvHeads; h++) {
          for (int i = 0; i < length; i++) {
            slots[h][i] = i;
            selected[h][i] = all[h * length + i];
          }
        }
        return new Selection(slots, selected);
      }
      if (need > 0 && !selectLargest(pooled, candidates, need, slots, selected, s)) {
        return ScoreMath.topK(this, k, poolKernel, keepRecent);
      }
      if (recent > 0) {
        float[] tail = new float[kvHeads * recent];
        Tensors.readFloats(s.add(JniUtils.slice(pooled, 1, candidates, length, 1)), tail, 0, tail.length, s);
        for (int h = 0; h < kvHeads; h++) {
          for (int i = 0; i < recent; i++) {
            slots[h][need + i] = candidates + i;
            selected[h][need + i] = tail[h * recent + i];
          }
        }
      }
      return new Selection(slots, selected);
    } finally {
      s.release(mark);
    }
  }

  /** Fills the first {@code need} entries per head; false when the scores hold NaN. */
  private boolean selectLargest(PtNDArray pooled, int candidates, int need, int[][] slots, float[][] selected, Scratch s) {
    int kvHeads = kvHeads();
    PtNDArray cand = s.add(JniUtils.slice(pooled, 1, 0, candidates, 1));
    NDList top = s.add(JniUtils.topK(cand, need, 1, true, true));
    PtNDArray kth = s.add(JniUtils.slice((PtNDArray) top.get(0), 1, need - 1, need, 1)); // [kv, 1]
    PtNDArray above = s.add(JniUtils.gt(cand, kth));
    PtNDArray tied = s.add(JniUtils.eq(cand, kth));
    PtNDArray aboveCount = s.add(JniUtils.sum(above, new long[] {1}, true)); // [kv, 1] int64
    PtNDArray tieRank = s.add(JniUtils.cumSum(tied, 1)); // 1-based rank among ties, by slot
    PtNDArray rank = s.add(JniUtils.add(tieRank, aboveCount));
    PtNDArray limit = Tensors.longTensor(cache.host(), cache.manager().getDevice(), new long[] {need}, s, 1);
    PtNDArray tiedTaken = s.add(JniUtils.logicalAnd(tied, s.add(JniUtils.lte(rank, limit))));
    PtNDArray chosen = s.add(JniUtils.logicalOr(above, tiedTaken));
    PtNDArray nonZero = s.add(JniUtils.nonZeros(chosen)); // [rows, 2], row-major: ascending per head
    if (nonZero.getShape().get(0) != (long) kvHeads * need) {
      return false;
    }
    PtNDArray index = s.add(JniUtils.reshape(s.add(JniUtils.slice(nonZero, 1, 1, 2, 1)), new long[] {kvHeads, need}));
    long[] flat = Tensors.readLongs(index, kvHeads * need, s);
    float[] picked = new float[kvHeads * need];
    Tensors.readFloats(s.add(JniUtils.gather(pooled, index, 1)), picked, 0, picked.length, s);
    for (int h = 0; h < kvHeads; h++) {
      for (int i = 0; i < need; i++) {
        slots[h][i] = (int) flat[h * need + i];
        selected[h][i] = picked[h * need + i];
      }
    }
    return true;
  }

  @Override
  protected void checkReadable() {
    cache.ensureOpen();
    if (values == null) {
      throw new IllegalStateException("these scores of layer " + layer
          + " are stale: scores are valid only until the next attend, append or working-set change of their layer");
    }
  }
}
