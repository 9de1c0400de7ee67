package org.recycledattention.tests;

import org.recycledattention.api.cache.Scores;

/**
 * {@link Scores} over host arrays, one per KV head: for hand-made scores in policy unit tests.
 *
 * <p>Immutable after construction (the rows are copied); thread-safe.
 */
public final class ArrayScores implements Scores {
  private final float[][] rows;

  private ArrayScores(float[][] rows) {
    this.rows = rows;
  }

  /** Scores with {@code rows[h]} for KV head {@code h}; every row has the same length. */
  public static ArrayScores of(float[]... rows) {
    if (rows.length == 0) {
      throw new IllegalArgumentException("scores need at least one KV head");
    }
    float[][] copy = new float[rows.length][];
    for (int h = 0; h < rows.length; h++) {
      if (rows[h].length != rows[0].length) {
        throw new IllegalArgumentException("every KV head needs the same number of scores: head 0 has " + rows[0].length + ", head " + h + " has " + rows[h].length);
      }
      copy[h] = rows[h].clone();
    }
    return new ArrayScores(copy);
  }

  @Override
  public int kvHeads() {
    return rows.length;
  }

  @Override
  public int length() {
    return rows[0].length;
  }

  @Override
  public void copyTo(int kvHead, float[] dst) {
    System.arraycopy(rows[kvHead], 0, dst, 0, rows[kvHead].length);
  }
}
