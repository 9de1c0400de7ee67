package org.recycledattention.backend.onnx;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.recycledattention.api.cache.ScoreMath;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.support.AbstractScores;

/**
 * The scores of one attention call: {@code kvHeads × length} floats that ONNX Runtime wrote into
 * the layer's native score buffer. {@link #topK} runs the selection graph over that buffer where
 * it lies; only the K selected slots and scores per head come back.
 *
 * <p>Valid until the next {@code attend}, {@code append} or working-set change on the layer; any
 * call after that throws {@link IllegalStateException}. Not thread-safe.
 */
final class OnnxScores extends AbstractScores {
  private final OnnxKvCache cache;
  private final OnnxLayer layer;
  private final long version;
  private final int length;

  OnnxScores(OnnxKvCache cache, OnnxLayer layer, int kvHeads, int length) {
    super(kvHeads);
    this.cache = cache;
    this.layer = layer;
    this.version = layer.version;
    this.length = length;
  }

  @Override
  public int length() {
    return length;
  }

  @Override
  protected void checkReadable() {
    cache.ensureOpen();
    if (layer.version != version) {
      throw new IllegalStateException("these scores of layer " + layer.layer() + " are stale: the layer changed since the attend "
          + "call that produced them; read scores before the next attend, append or working-set change");
    }
  }

  @Override
  protected void copyRow(int kvHead, float[] dst) {
    MemorySegment.copy(layer.scores.segment(), ValueLayout.JAVA_FLOAT, (long) kvHead * length * Float.BYTES, dst, 0, length);
  }

  /**
   * {@link ScoreMath#topK}'s selection, computed by the selection graph: max-pool, then TopK over
   * the slots that are not forced as recent. Ties go to the lower slot in both (ONNX's TopK
   * contract; {@code SelectionTest} checks it against {@code ScoreMath} on tied scores). The K
   * indices are sorted on the host. NaN ranks below every number, as in {@code ScoreMath}; the
   * order among several NaN (or between NaN and -inf) is not specified by either. When {@code keepRecent} covers all of K no
   * graph runs: the recent slots are the answer and their pooled scores come from {@link
   * ScoreMath}.
   */
  @Override
  protected Selection select(int k, int poolKernel, int keepRecent) {
    int kvHeads = kvHeads();
    int n = Math.min(k, length);
    int recent = Math.min(Math.max(keepRecent, 0), n);
    int need = n - recent;
    if (need == 0) {
      return ScoreMath.topK(this, k, poolKernel, keepRecent);
    }
    OnnxKvCache.Picked picked = cache.select(layer, kvHeads, length, poolKernel, length - recent, need);
    int[][] slots = new int[kvHeads][n];
    float[][] selected = new float[kvHeads][n];
    long[] packed = new long[need];
    for (int h = 0; h < kvHeads; h++) {
      for (int i = 0; i < need; i++) {
        // slot in the high half, score bits in the low half: sorting the longs sorts by slot
        packed[i] = (picked.slots()[h * need + i] << 32) | (Float.floatToRawIntBits(picked.scores()[h * need + i]) & 0xFFFF_FFFFL);
      }
      Arrays.sort(packed);
      for (int i = 0; i < need; i++) {
        slots[h][i] = (int) (packed[i] >>> 32);
        selected[h][i] = Float.intBitsToFloat((int) packed[i]);
      }
      for (int i = 0; i < recent; i++) {
        slots[h][need + i] = length - recent + i;
        selected[h][need + i] = picked.recent()[h * recent + i];
      }
    }
    return new Selection(slots, selected);
  }
}
