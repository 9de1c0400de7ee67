package org.recycledattention.policy.testing;

import org.recycledattention.api.cache.Scores;

/** Unit-test double of {@link Scores}: hand-made host arrays, {@code [kvHead][slot]}. */
public final class FixedScores implements Scores {
  private final float[][] values;

  public FixedScores(float[][] values) {
    this.values = values;
  }

  @Override
  public int kvHeads() {
    return values.length;
  }

  @Override
  public int length() {
    return values[0].length;
  }

  @Override
  public void copyTo(int kvHead, float[] dst) {
    System.arraycopy(values[kvHead], 0, dst, 0, values[kvHead].length);
  }
}
