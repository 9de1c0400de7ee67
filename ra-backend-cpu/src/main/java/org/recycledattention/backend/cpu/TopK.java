package org.recycledattention.backend.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.recycledattention.api.cache.ScoreMath;

/**
 * {@link ScoreMath#topK}'s selection, computed the fast way: the max pooling as one vector pass
 * over the window, and the threshold by a radix select instead of quickselect (whose partition
 * branches mispredict on every other element: on a 32K-entry head it cost more than a third of a
 * full attention step). The result is exactly {@code ScoreMath.topK}'s (same slots, same pooled
 * scores: max is exact, and ranks are compared as {@code ScoreMath} compares them; tested).
 *
 * <p>Ranks are the pooled scores mapped to order-preserving ints ({@link #rank}). On long rows a
 * sample bounds the threshold from below and one vector pass keeps the ranks above the bound (a few
 * percent more than needed); a histogram of their top 11 bits finds the bucket that holds the
 * threshold, the bucket's members are ranked by the next 11 bits, then the last 10, which gives the
 * threshold exactly and how many entries equal to it are taken (ties go to the lowest slots, as in
 * {@code ScoreMath}). The final pick compresses whole vectors of slots above the threshold.
 *
 * <p>Per-thread scratch, grown to the longest head seen: not thread-safe.
 */
final class TopK {
  private static final int BUCKETS = 2048;
  /** Ranks sampled to bound the threshold on long rows. */
  private static final int SAMPLE = 1024;
  private static final int LANES = VectorMath.lanes();
  private static final VectorSpecies<Integer> INTS = VectorMath.SPECIES.withLanes(int.class);

  private float[] pooled = new float[0];
  private int[] ranks = new int[0];
  private int[] members = new int[0];
  private int[] pickedSlots = new int[0];
  private float[] pickedScores = new float[0];
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
      members = new int[capacity + LANES];
      pickedSlots = new int[capacity + LANES];
      pickedScores = new float[capacity + LANES];
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
      c = pick(candidates, (int) (threshold >> 32), (int) threshold, out, selectedScores);
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
   *
   * <p>On long rows a sample of about {@value #SAMPLE} ranks gives a bound that the {@code need}
   * largest are very likely above (its quantile moved up by four standard deviations); one vector
   * pass then collects the ranks at or above the bound, and the radix select runs on those only
   * (about {@code need} plus a few percent). When the bound was too high, all ranks are used.
   */
  private long threshold(int candidates, int need) {
    if (candidates >= 4 * SAMPLE) {
      int stride = candidates / SAMPLE;
      int samples = candidates / stride;
      for (int i = 0; i < samples; i++) {
        members[i] = ranks[i * stride] ^ Integer.MIN_VALUE;
      }
      double expected = (double) need * samples / candidates;
      int position = (int) Math.min(samples, Math.ceil(expected + 4 * Math.sqrt(expected) + 8));
      int bound = (int) (largest(samples, position) >> 32);
      int count = collectAtLeast(candidates, bound);
      if (count >= need) {
        return largest(count, need);
      }
    }
    for (int j = 0; j < candidates; j++) {
      members[j] = ranks[j] ^ Integer.MIN_VALUE;
    }
    return largest(candidates, need);
  }

  /** Copies the unsigned ranks of {@code ranks[0 .. candidates)} at or above rank {@code bound} to {@code members}; returns how many. */
  private int collectAtLeast(int candidates, int bound) {
    int count = 0;
    int upper = INTS.loopBound(candidates);
    for (int j = 0; j < upper; j += VectorMath.CHUNK) {
      count = collectVectors(j, Math.min(upper, j + VectorMath.CHUNK), bound, count);
    }
    for (int j = upper; j < candidates; j++) {
      if (ranks[j] >= bound) {
        members[count++] = ranks[j] ^ Integer.MIN_VALUE;
      }
    }
    return count;
  }

  private int collectVectors(int from, int to, int bound, int count) {
    for (int j = from; j < to; j += LANES) {
      IntVector r = IntVector.fromArray(INTS, ranks, j);
      VectorMask<Integer> keep = r.compare(VectorOperators.GE, bound);
      if (keep.anyTrue()) {
        // members has LANES spare ints: the lanes past the kept ones are overwritten next time
        r.lanewise(VectorOperators.XOR, Integer.MIN_VALUE).compress(keep).intoArray(members, count);
        count += keep.trueCount();
      }
    }
    return count;
  }

  /**
   * The {@code need}-th largest of the unsigned ranks {@code members[0 .. count)}, as a signed rank
   * (high 32 bits), and how many equal to it are among the {@code need} largest (low 32 bits);
   * reorders {@code members}.
   */
  private long largest(int count, int need) {
    // by the top 11 bits, then bits 10..20, then bits 0..9; two interleaved histograms at the first
    // level, so that runs of equal ranks (max pooling makes them) do not chain increments through memory
    int[] h = histogram;
    Arrays.fill(h, 0);
    int i = 0;
    for (; i + 1 < count; i += 2) {
      h[members[i] >>> 21]++;
      h[BUCKETS + (members[i + 1] >>> 21)]++;
    }
    if (i < count) {
      h[members[i] >>> 21]++;
    }
    for (int b = 0; b < BUCKETS; b++) {
      h[b] += h[BUCKETS + b];
    }
    int remaining = need;
    int bucket = BUCKETS - 1;
    while (h[bucket] < remaining) {
      remaining -= h[bucket--];
    }
    int kept = 0;
    for (i = 0; i < count; i++) {
      int u = members[i];
      members[kept] = u;
      kept += (u >>> 21) == bucket ? 1 : 0;
    }
    int prefix = bucket << 21;
    long level = refine(kept, remaining, 10, 11);
    kept = (int) (level >>> 32);
    remaining = (int) level;
    prefix |= members[0] & 0x1ffc00;
    level = refine(kept, remaining, 0, 10);
    remaining = (int) level;
    prefix |= members[0] & 0x3ff;
    return ((long) (prefix ^ Integer.MIN_VALUE) << 32) | remaining;
  }

  /**
   * Writes the slots of {@code [0, candidates)} whose rank is above {@code t}, or equal to it for the
   * first {@code equalAllowed} of those, ascending, to {@code out} with their pooled scores; returns
   * how many. Vectors of ranks without one equal to {@code t} are compressed whole.
   */
  private int pick(int candidates, int t, int equalAllowed, int[] out, float[] selectedScores) {
    // whole vectors go to padded scratch (no masked store near an array's end), then one copy out
    int c = 0;
    int upper = INTS.loopBound(candidates);
    for (int j = 0; j < upper; j += VectorMath.CHUNK) {
      long state = pickVectors(j, Math.min(upper, j + VectorMath.CHUNK), t, equalAllowed, c);
      c = (int) (state >>> 32);
      equalAllowed = (int) state;
    }
    c = pickScalar(upper, candidates, t, equalAllowed, c);
    System.arraycopy(pickedSlots, 0, out, 0, c);
    System.arraycopy(pickedScores, 0, selectedScores, 0, c);
    return c;
  }

  /** {@link #pick}'s vectors in {@code [from, to)}; returns the count (high 32 bits) and the equal entries still allowed. */
  private long pickVectors(int from, int to, int t, int equalAllowed, int c) {
    IntVector iota = IntVector.zero(INTS).addIndex(1);
    for (int j = from; j < to; j += LANES) {
      IntVector r = IntVector.fromArray(INTS, ranks, j);
      VectorMask<Integer> above = r.compare(VectorOperators.GT, t);
      VectorMask<Integer> equal = r.compare(VectorOperators.EQ, t);
      if (equal.anyTrue()) {
        c = pickScalar(j, j + LANES, t, equalAllowed, c);
        equalAllowed = Math.max(0, equalAllowed - equal.trueCount());
      } else if (above.anyTrue()) {
        iota.add(j).compress(above).intoArray(pickedSlots, c);
        FloatVector.fromArray(VectorMath.SPECIES, pooled, j).compress(above.cast(VectorMath.SPECIES)).intoArray(pickedScores, c);
        c += above.trueCount();
      }
    }
    return ((long) c << 32) | equalAllowed;
  }

  /** {@link #pick} of {@code [from, to)}, one slot at a time, into the scratch from {@code c}; returns the new count. */
  private int pickScalar(int from, int to, int t, int equalAllowed, int c) {
    for (int l = from; l < to; l++) {
      int x = ranks[l];
      if (x > t || (x == t && equalAllowed-- > 0)) {
        pickedSlots[c] = l;
        pickedScores[c++] = pooled[l];
      }
    }
    return c;
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
    if (j <= bound) {
      int vectors = (bound - j) / LANES + 1;
      int end = j + vectors * LANES;
      for (; j < end; j += VectorMath.CHUNK) {
        poolVectors(in, r, j, Math.min(end, j + VectorMath.CHUNK), out, ranks);
      }
      j = end;
    }
    for (; j < length; j++) {
      poolOne(in, length, r, j, out, ranks);
    }
  }

  /** {@link #pool}'s vectors from {@code from} to {@code to}, whole windows (see {@link VectorMath#CHUNK}). */
  private static void poolVectors(float[] in, int r, int from, int to, float[] out, int[] ranks) {
    for (int j = from; j < to; j += LANES) {
      FloatVector m = FloatVector.fromArray(VectorMath.SPECIES, in, j - r);
      for (int d = 1 - r; d <= r; d++) {
        m = m.max(FloatVector.fromArray(VectorMath.SPECIES, in, j + d));
      }
      m.intoArray(out, j);
      rankVector(m).intoArray(ranks, j);
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
