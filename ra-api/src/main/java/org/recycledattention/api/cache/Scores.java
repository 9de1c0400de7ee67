package org.recycledattention.api.cache;


/**
 * Attention scores of one step of one layer, already reduced over each KV group: {@code kvHeads ×
 * length} probabilities, where {@code length} is the number of entries attended (see {@code
 * StepPlan}). Owned by the backend, possibly on a device.
 *
 * <p><b>NOTE:</b> valid only until the next {@code attend}, {@code append} or working-set change on
 * the same layer; not thread-safe.
 */
public interface Scores {
  int kvHeads();

  /** Entries per head. */
  int length();

  /**
   * Copies one head's scores into {@code dst[0 .. length)}. The slow path: on a device backend this
   * transfers {@code length} floats. Fine for K-sized scores; avoid for n-sized ones on the hot path.
   */
  void copyTo(int kvHead, float[] dst);

  /** {@link #copyTo} into a new array. */
  default float[] toArray(int kvHead) {
    float[] a = new float[length()];
    copyTo(kvHead, a);
    return a;
  }

  /**
   * Selects per head the top {@code k} entries by max-pooled score, keeping the last {@code
   * keepRecent} slots; exactly {@link ScoreMath#topK}'s definition. Device backends compute it on
   * the device and transfer only the selected slots and scores.
   */
  default Selection topK(int k, int poolKernel, int keepRecent) {
    return ScoreMath.topK(this, k, poolKernel, keepRecent);
  }
}
