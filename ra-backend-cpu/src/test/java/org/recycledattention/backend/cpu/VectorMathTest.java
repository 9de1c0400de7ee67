package org.recycledattention.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.recycledattention.tests.RandomData;

class VectorMathTest {
  @Test
  void expIsWithinTwoUlpsOfMathExpAndFlushesBelowTheRange() {
    int lanes = VectorMath.lanes();
    float[] x = new float[lanes];
    float[] y = new float[lanes];
    for (int i = 0; i <= 1_000_000; i += lanes) {
      for (int l = 0; l < lanes; l++) {
        x[l] = Math.max(-87f, -87f * (i + l) / 1_000_000f);
      }
      VectorMath.exp(FloatVector.fromArray(VectorMath.SPECIES, x, 0)).intoArray(y, 0);
      for (int l = 0; l < lanes; l++) {
        double expected = Math.exp(x[l]);
        if (Math.abs(y[l] - expected) > 2 * Math.ulp((float) expected)) {
          fail("exp(" + x[l] + ") = " + y[l] + ", expected " + expected);
        }
      }
    }
    x[0] = -1000f;
    x[1] = Float.NEGATIVE_INFINITY;
    x[2] = Float.NaN;
    x[3] = 0f;
    VectorMath.exp(FloatVector.fromArray(VectorMath.SPECIES, x, 0)).intoArray(y, 0);
    assertThat(y[0]).isZero();
    assertThat(y[1]).isZero();
    assertThat(y[2]).isNaN();
    assertThat(y[3]).isEqualTo(1f);
  }

  @Test
  void halfDecodersAreExactForEveryBitPattern() {
    short[] all = new short[65536];
    for (int i = 0; i < all.length; i++) {
      all[i] = (short) i;
    }
    float[] f16 = new float[65536];
    float[] bf16 = new float[65536];
    VectorMath.decodeF16(all, 0, f16, 65536);
    VectorMath.decodeBf16(all, 0, bf16, 65536);
    for (int i = 0; i < all.length; i++) {
      float expected = Float.float16ToFloat(all[i]);
      if (Float.isNaN(expected)) {
        assertThat(f16[i]).as("f16 %04x", i).isNaN();
      } else {
        assertThat(Float.floatToRawIntBits(f16[i])).as("f16 %04x", i).isEqualTo(Float.floatToRawIntBits(expected));
      }
      assertThat(Float.floatToRawIntBits(bf16[i])).as("bf16 %04x", i).isEqualTo(i << 16);
    }
  }

  @Test
  void softmaxMatchesDoublePrecisionForEveryTailLength() {
    SplittableRandom random = new SplittableRandom(3);
    float[] lanes = new float[VectorMath.lanes()];
    for (int n = 1; n <= 70; n++) {
      float[] p = new float[n + 5];
      double[] s = new double[n];
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        p[j + 3] = (float) ((random.nextDouble() - 0.5) * (n % 3 == 0 ? 300 : 10));
        max = Math.max(max, p[j + 3]);
      }
      p[0] = 42f; // outside the range: untouched
      double sum = 0;
      for (int j = 0; j < n; j++) {
        s[j] = Math.exp(p[j + 3] - max);
        sum += s[j];
      }
      VectorMath.softmax(p, 3, n, lanes);
      assertThat(p[0]).isEqualTo(42f);
      assertThat(p[n + 3]).isZero();
      for (int j = 0; j < n; j++) {
        double expected = s[j] / sum;
        if (Math.abs(p[j + 3] - expected) > 1e-7 + 1e-6 * expected) {
          fail("n=" + n + " entry " + j + ": " + p[j + 3] + " expected " + expected);
        }
      }
    }
  }

  @Test
  void tileScoresAndWeightedRowsMatchDoublePrecision() {
    SplittableRandom random = new SplittableRandom(5);
    int lanes = VectorMath.lanes();
    for (int dim : new int[] {1, 5, 32, 48, 64, 80, 128}) {
      for (int group = 1; group <= 6; group++) {
        // a tile of `lanes` keys, transposed
        float[] tile = RandomData.gaussian(random, lanes * dim + 3, 1);
        float[] q = RandomData.gaussian(random, group * dim + 2, 1);
        float[] s = new float[group * (lanes + 7)];
        VectorMath.scoreTile(tile, 3, dim, q, 2, group, 0.5f, s, 4, lanes + 7);
        for (int g = 0; g < group; g++) {
          for (int l = 0; l < lanes; l++) {
            double expected = 0;
            for (int x = 0; x < dim; x++) {
              expected += (double) q[2 + g * dim + x] * tile[3 + x * lanes + l];
            }
            assertThat((double) s[g * (lanes + 7) + 4 + l]).isCloseTo(0.5 * expected, org.assertj.core.data.Offset.offset(1e-5 * Math.sqrt(dim)));
          }
        }
        int rows = 1 + random.nextInt(20);
        float[] v = RandomData.gaussian(random, rows * dim + 1, 1);
        float[] w = RandomData.gaussian(random, group * rows, 1);
        float[] out = RandomData.gaussian(random, group * dim, 1);
        double[] expected = new double[group * dim];
        for (int i = 0; i < expected.length; i++) {
          expected[i] = out[i];
        }
        for (int g = 0; g < group; g++) {
          for (int r = 0; r < rows; r++) {
            for (int x = 0; x < dim; x++) {
              expected[g * dim + x] += (double) w[g * rows + r] * v[1 + r * dim + x];
            }
          }
        }
        VectorMath.accumulateRows(v, 1, rows, dim, w, 0, rows, group, out, 0);
        for (int i = 0; i < expected.length; i++) {
          assertThat((double) out[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5 * rows));
        }
      }
    }
  }
}
