package org.recycledattention.api.cache.support;

import static java.util.Objects.requireNonNull;

import org.recycledattention.api.cache.ScoreMath;
import org.recycledattention.api.cache.Scores;
import org.recycledattention.api.cache.Selection;

/**
 * A {@link Scores} that checks its arguments and whether it may still be read once, for every backend:
 * a backend implements {@link #copyRow} (and {@link #select} when it selects faster than {@link
 * ScoreMath#topK}) and, for scores that go stale, {@link #checkReadable}.
 */
public abstract class AbstractScores implements Scores {
  private final int kvHeads;

  protected AbstractScores(int kvHeads) {
    if (kvHeads < 1) {
      throw new IllegalArgumentException("kvHeads must be >= 1, got " + kvHeads);
    }
    this.kvHeads = kvHeads;
  }

  @Override
  public final int kvHeads() {
    return kvHeads;
  }

  /**
   * Throws when these scores may no longer be read: their cache is closed, or their layer changed
   * since the attend call that produced them. Default: always readable.
   *
   * @throws IllegalStateException naming why
   */
  protected void checkReadable() {}

  /** Copies the {@link #length()} scores of {@code kvHead} (in range) into {@code dst} (long enough). */
  protected abstract void copyRow(int kvHead, float[] dst);

  /** {@link Scores#topK} with checked arguments. Default: {@link ScoreMath#topK}, the reference definition. */
  protected Selection select(int k, int poolKernel, int keepRecent) {
    return ScoreMath.topK(this, k, poolKernel, keepRecent);
  }

  @Override
  public final void copyTo(int kvHead, float[] dst) {
    checkReadable();
    if (kvHead < 0 || kvHead >= kvHeads) {
      throw new IllegalArgumentException("kvHead " + kvHead + " out of range [0, " + kvHeads + ")");
    }
    requireNonNull(dst, "dst is null");
    if (dst.length < length()) {
      throw new IllegalArgumentException("destination holds " + dst.length + " floats; scores have " + length());
    }
    copyRow(kvHead, dst);
  }

  @Override
  public final Selection topK(int k, int poolKernel, int keepRecent) {
    checkReadable();
    if (k < 0) {
      throw new IllegalArgumentException("k must be >= 0, got " + k);
    }
    if (poolKernel < 1 || poolKernel % 2 == 0) {
      throw new IllegalArgumentException("pool kernel must be odd and >= 1, got " + poolKernel);
    }
    return select(k, poolKernel, keepRecent);
  }
}
