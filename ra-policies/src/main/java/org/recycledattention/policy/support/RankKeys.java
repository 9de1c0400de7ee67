package org.recycledattention.policy.support;

/**
 * Packs a score and an integer tie-break into one {@code long} whose natural (signed) order is
 * "score ascending, then tie-break ascending", so that a primitive {@code Arrays.sort(long[])}
 * ranks entries without boxing.
 *
 * <p>Scores are ordered as {@link Float#compare} orders them, except that every NaN ranks lowest
 * (a NaN score is evicted first). {@code -0.0f} ranks with {@code 0.0f}.
 */
public final class RankKeys {
  private RankKeys() {}

  /**
   * The key of ({@code score}, {@code tieBreak}).
   *
   * @param tieBreak a non-negative integer (a position or a slot)
   */
  public static long key(float score, int tieBreak) {
    return ((long) sortableBits(score) << 32) | (tieBreak & 0xffff_ffffL);
  }

  /** The tie-break packed into {@code key}. */
  public static int tieBreak(long key) {
    return (int) key;
  }

  /** An int whose signed order is the order of {@code score} (NaN lowest, -0 equal to +0). */
  static int sortableBits(float score) {
    if (Float.isNaN(score)) {
      return Integer.MIN_VALUE;
    }
    int bits = Float.floatToIntBits(score == 0.0f ? 0.0f : score);
    // negative floats: flip the magnitude bits so that larger magnitudes sort lower
    return bits ^ ((bits >> 31) & 0x7fff_ffff);
  }
}
