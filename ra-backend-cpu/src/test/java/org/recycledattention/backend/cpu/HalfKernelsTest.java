package org.recycledattention.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.recycledattention.tests.RandomData;

class HalfKernelsTest {
  private static final int LANES = VectorMath.lanes();

  @BeforeEach
  void needsTheKernels() {
    assumeTrue(HalfKernels.available(), "no float vector of 4 lanes or more on this machine: the kernels are not used");
  }

  @Test
  void widenIsExactForEveryFiniteF16AndEveryBf16() {
    short[] all = new short[65536];
    for (int i = 0; i < all.length; i++) {
      all[i] = (short) i;
    }
    float[] f16 = new float[LANES];
    float[] bf16 = new float[LANES];
    for (int i = 0; i < all.length; i += LANES) {
      HalfKernels.widen(all, i, false).intoArray(f16, 0);
      HalfKernels.widen(all, i, true).intoArray(bf16, 0);
      for (int l = 0; l < LANES; l++) {
        short h = all[i + l];
        assertThat(HalfKernels.nonFinite(h)).as("f16 %04x", i + l).isEqualTo(!Float.isFinite(Float.float16ToFloat(h)));
        if (!HalfKernels.nonFinite(h)) {
          assertThat(Float.floatToRawIntBits(f16[l])).as("f16 %04x", i + l)
              .isEqualTo(Float.floatToRawIntBits(Float.float16ToFloat(h)));
        }
        assertThat(Float.floatToRawIntBits(bf16[l])).as("bf16 %04x", i + l).isEqualTo((i + l) << 16);
      }
    }
  }

  /** Random 16-bit values with zeros, subnormals and the largest finite f16 among them; all finite. */
  private static short[] halves(SplittableRandom r, int n, boolean bf16) {
    short[] h = new short[n];
    for (int i = 0; i < n; i++) {
      float f = switch (r.nextInt(8)) {
        case 0 -> 0f;
        case 1 -> -0f;
        case 2 -> (float) (r.nextGaussian() * 1e-6); // f16 subnormal
        case 3 -> r.nextBoolean() ? 65504f : -65504f;
        default -> (float) r.nextGaussian();
      };
      h[i] = bf16 ? HalfRows.toBf16(f) : Float.floatToFloat16(f);
    }
    return h;
  }

  private static float[] decoded(short[] h, boolean bf16) {
    float[] f = new float[h.length];
    for (int i = 0; i < h.length; i++) {
      f[i] = bf16 ? Float.intBitsToFloat(h[i] << 16) : Float.float16ToFloat(h[i]);
    }
    return f;
  }

  @Test
  void scoresAndWeightedSumsAreTheDecodedKernelsBitForBit() {
    SplittableRandom r = new SplittableRandom(7);
    for (boolean bf16 : new boolean[] {false, true}) {
      for (int dim : new int[] {LANES, 2 * LANES, 4 * LANES, 5 * LANES}) {
        for (int group = 1; group <= 4; group++) {
          for (int tiles = 1; tiles <= 5; tiles++) {
            int n = tiles * LANES;
            short[] keys = halves(r, n * dim, bf16);
            short[] values = halves(r, n * dim, bf16);
            float[] q = RandomData.gaussian(r, group * dim, 1);
            float[] expected = new float[group * n];
            float[] actual = new float[group * n];
            VectorMath.scoreTiles(decoded(keys, bf16), 0, tiles, dim, q, 0, group, 0.125f, expected, 0, n);
            HalfKernels.scoreTiles(keys, 0, tiles, dim, q, 0, group, 0.125f, actual, 0, n, bf16);
            String what = (bf16 ? "bf16" : "f16") + " dim " + dim + " group " + group + " tiles " + tiles;
            assertThat(actual).as("scores, " + what).containsExactly(expected);

            float[] w = RandomData.gaussian(r, group * n, 1);
            float[] sumExpected = RandomData.gaussian(r, group * dim, 1);
            float[] sum = sumExpected.clone();
            VectorMath.accumulateRows(decoded(values, bf16), 0, n, dim, w, 0, n, group, sumExpected, 0);
            HalfKernels.accumulateRows(values, 0, n, dim, w, 0, n, group, sum, 0, bf16);
            assertThat(sum).as("weighted sums, " + what).containsExactly(sumExpected);
          }
        }
      }
    }
  }

  @Test
  void anF16StoreThatHoldsAnInfinityOrNaNDecodesInsteadAndKeepsThemInItsResults() {
    int dim = 2 * LANES;
    int n = 3 * LANES;
    int group = 2;
    SplittableRandom r = new SplittableRandom(11);
    HalfRows store = new HalfRows(dim, n, false);
    for (int s = 0; s < n; s++) {
      float[] k = RandomData.gaussian(r, dim, 1);
      float[] v = RandomData.gaussian(r, dim, 1);
      if (s == 5) {
        k[3] = Float.POSITIVE_INFINITY;
      }
      if (s == LANES + 2) {
        v[1] = Float.NaN;
      }
      store.put(s, k, 0, v, 0, s);
    }
    store.length = n;
    float[] q = RandomData.gaussian(r, group * dim, 1);
    float[] p = new float[group * n];
    Rows.Scratch scratch = new Rows.Scratch(dim);
    store.score(0, n, q, 0, group, 0.125f, p, n, 0, scratch);
    assertThat(p[5]).as("the infinite key's score (the widening kernel would make the infinity 65536 · 2)").isInfinite();
    assertThat(p[n + 5]).isInfinite();

    float[] w = new float[group * n];
    Arrays.fill(w, 1f / n);
    float[] out = new float[group * dim];
    store.accumulate(0, n, w, n, 0, group, out, 0, scratch);
    assertThat(out[1]).isNaN();
    assertThat(out[dim + 1]).isNaN();

    // a store gathered from it inherits the flag
    HalfRows partial = new HalfRows(dim, 2, false);
    partial.gather(store, new int[] {5, 6}, 2);
    partial.length = 2;
    float[] p2 = new float[group * 2];
    partial.score(0, 2, q, 0, group, 0.125f, p2, 2, 0, scratch);
    assertThat(p2[0]).isInfinite();
  }
}
