package org.recycledattention.backend.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import org.recycledattention.api.cache.ScoreMath;

/**
 * {@link ScoreMath#topK}'s selection, computed the fast way: the max pooling as one vector pass
 * over the window, and the threshold by a radix select instead of quickselect (whose partition
 * branches mispredict on every other element: on a 32K-entry head it cost more than a third of a
 * full attention step). The result is exactly {@code ScoreMath.topK}'s (same slots, same pooled
 * scores: max is exact, and ranks are compared as {@code ScoreMath} compares them; tested).
 *
 * <p>Ranks are the pooled scores mapped to order-preserving ints ({@link #rank}). A histogram of
 * their top 11 bits finds the bucket that holds the threshold; the bucket's members are ranked by
 * the next 11 bits, then the last 10, which gives the threshold exactly and how many entries
 * equal to it are taken (ties go to the lowest slots, as in {@code ScoreMath}). Three linear
 * passes in the common case, no data-dependent branches but the final pick.
 *
 * <p>Per-thread scratch, grown to the longest head seen: not thread-safe.
 */
final class TopK {
  private static final int BUCKETS = 2048;
  private static final int LANES = VectorMath.lanes();

  private float[] pooled = new float[0];
  private int[] ranks = new int[0];
  private int[] members = new int[0];
  private final int[] histogram = new int[2 * BUCKETS];

  /**
   * The top {@code k} slots of one head ({@link ScoreMath#topK}'s contract).
   *
   * @param scores raw scores, {@code length} used
   * @param selectedScores receives the pooled scores of the selected slots, at least {@code
   *     min(k, length)}
   * @return {@code min(k, length)} ascending slots
   */
  int[] select(float[] scores, int length, int k, int poolKernel, int keepRecent, float[] selectedScores) {
    if (poolKernel < 1 || poolKernel % 2 == 0) {
      throw new IllegalArgumentException("pool kernel must be odd and >= 1, got " + poolKernel);
    }
    if (pooled.length < length) {
      int capacity = Math.max(length, pooled.length + (pooled.length >> 1));
      pooled = new float[capacity];
      ranks = new int[capacity];
      members = new int[capacity];
    }
    pool(scores, length, poolKernel / 2, pooled, ranks);
    int n = Math.min(k, length);
    int recent = Math.min(Math.max(keepRecent, 0), n);
    int candidates = length - recent;
    int need = n - recent;
    int[] out = new int[n];
    int c = 0;
    if (need > 0) {
      long threshold = threshold(candidates, need);
      int t = (int) (threshold >> 32);
      int equalAllowed = (int) threshold;
      for (int j = 0; j < candidates; j++) {
        int r = ranks[j];
        if (r > t || (r == t && equalAllowed-- > 0)) {
          out[c] = j;
          selectedScores[c++] = pooled[j];
        }
      }
    }
    for (int j = candidates; j < length; j++) {
      out[c] = j;
      selectedScores[c++] = pooled[j];
    }
    return out;
  }

  /**
   * An int whose signed order is {@code ScoreMath}'s rank order of pooled scores: NaN ranks with
   * negative infinity, -0 with +0.
   */
  static int rank(float v) {
    int bits = Float.floatToRawIntBits(v != v ? Float.NEGATIVE_INFINITY : v + 0f);
    return bits ^ ((bits >> 31) & 0x7fffffff);
  }

  /**
   * The {@code need}-th largest rank among {@code ranks[0 .. candidates)} (high 32 bits) and how many
   * entries of exactly that rank are taken (low 32 bits), {@code 1 <= need <= candidates}.
   */
  private long threshold(int candidates, int need) {
    // level 1: all candidates, by the top 11 bits of the unsigned rank; two interleaved histograms
    // so that runs of equal ranks (max pooling makes them) do not chain increments through memory
    int[] h = histogram;
    Arrays.fill(h, 0);
    int j = 0;
    for (; j + 1 < candidates; j += 2) {
      h[(ranks[j] ^ Integer.MIN_VALUE) >>> 21]++;
      h[BUCKETS + ((ranks[j + 1] ^ Integer.MIN_VALUE) >>> 21)]++;
    }
    if (j < candidates) {
      h[(ranks[j] ^ Integer.MIN_VALUE) >>> 21]++;
    }
    for (int b = 0; b < BUCKETS; b++) {
      h[b] += h[BUCKETS + b];
    }
    int remaining = need;
    int bucket = BUCKETS - 1;
    while (h[bucket] < remaining) {
      remaining -= h[bucket--];
    }
    int count = 0;
    for (j = 0; j < candidates; j++) {
      int u = ranks[j] ^ Integer.MIN_VALUE;
      members[count] = u;
      count += (u >>> 21) == bucket ? 1 : 0;
    }
    int prefix = bucket << 21;
    // level 2: the bucket's members by bits 10..20; level 3: by bits 0..9
    long level = refine(count, remaining, 10, 11);
    count = (int) (level >>> 32);
    remaining = (int) level;
    prefix |= members[0] & 0x1ffc00;
    level = refine(count, remaining, 0, 10);
    remaining = (int) level;
    prefix |= members[0] & 0x3ff;
    return ((long) (prefix ^ Integer.MIN_VALUE) << 32) | remaining;
  }

  /**
   * Keeps the members ({@code members[0 .. count)}) whose bits {@code shift .. shift + width} hold the
   * {@code remaining}-th largest value of those bits, moved to the front. Returns their count (high 32
   * bits) and how many of them are still needed (low 32 bits).
   */
  private long refine(int count, int remaining, int shift, int width) {
    int[] h = histogram;
    int mask = (1 << width) - 1;
    Arrays.fill(h, 0, mask + 1, 0);
    for (int i = 0; i < count; i++) {
      h[(members[i] >>> shift) & mask]++;
    }
    int bucket = mask;
    while (h[bucket] < remaining) {
      remaining -= h[bucket--];
    }
    int kept = 0;
    for (int i = 0; i < count; i++) {
      int u = members[i];
      members[kept] = u;
      kept += ((u >>> shift) & mask) == bucket ? 1 : 0;
    }
    return ((long) kept << 32) | remaining;
  }

  /**
   * {@code out[j] = max(in[j - r .. j + r])} clipped to {@code [0, length)} ({@link
   * ScoreMath#maxPool}), and {@code ranks[j] = rank(out[j])}; vectors where the window is whole.
   */
  private static void pool(float[] in, int length, int r, float[] out, int[] ranks) {
    int j = 0;
    int head = Math.min(r, length);
    for (; j < head; j++) {
      poolOne(in, length, r, j, out, ranks);
    }
    int bound = length - r - LANES; // the last vector start whose window ends inside the array
    for (; j <= bound; j += LANES) {
      FloatVector m = FloatVector.fromArray(VectorMath.SPECIES, in, j - r);
      for (int d = 1 - r; d <= r; d++) {
        m = m.max(FloatVector.fromArray(VectorMath.SPECIES, in, j + d));
      }
      m.intoArray(out, j);
      rankVector(m).intoArray(ranks, j);
    }
    for (; j < length; j++) {
      poolOne(in, length, r, j, out, ranks);
    }
  }

  private static void poolOne(float[] in, int length, int r, int j, float[] out, int[] ranks) {
    float m = in[Math.max(0, j - r)];
    for (int i = Math.max(0, j - r) + 1; i <= Math.min(length - 1, j + r); i++) {
      m = Math.max(m, in[i]);
    }
    out[j] = m;
    ranks[j] = rank(m);
  }

  private static IntVector rankVector(FloatVector v) {
    FloatVector clean = v.blend(Float.NEGATIVE_INFINITY, v.test(VectorOperators.IS_NAN)).add(0f);
    IntVector bits = clean.reinterpretAsInts();
    return bits.lanewise(VectorOperators.XOR, bits.lanewise(VectorOperators.ASHR, 31).and(0x7fffffff));
  }
}
