package org.recycledattention.model.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * The activation formats against ggml's x86 conversions, transcribed: {@code quantize_row_q8_0} and
 * {@code quantize_row_q8_1} (AVX: {@code id = 127 / max}, round half to even), {@code
 * quantize_row_q8_K_ref} ({@code nearest_int}'s magic-number rounding), and F16/BF16 rounding.
 */
class InputFormatTest {
  /** ggml's {@code nearest_int}: adds 1.5·2^23 so the FPU rounds (to nearest even) into the low mantissa bits. */
  private static int nearestInt(float v) {
    float val = v + 12582912.f;
    int i = Float.floatToRawIntBits(val);
    return (i & 0x007fffff) - 0x00400000;
  }

  private static float[] input(Random rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      // a mix of scales, exact ties (k + 0.5 after scaling) and zeros
      x[i] = switch (rnd.nextInt(4)) {
        case 0 -> (float) rnd.nextGaussian();
        case 1 -> (float) (rnd.nextGaussian() * 1e-3);
        case 2 -> (rnd.nextInt(255) - 127) + 0.5f;
        default -> 0f;
      };
    }
    return x;
  }

  @Test
  void q8_0AndQ8_1AreGgmlsAvxQuantization() {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    for (int trial = 0; trial < 200; trial++) {
      float[] x = input(rnd, 64);
      if (trial % 7 == 0) {
        Arrays.fill(x, 0, 32, 0f); // an all-zero block: d = 0, every value 0
      }
      Input q80 = Input.of(InputFormat.Q8_0, x, 1, 64);
      Input q81 = Input.of(InputFormat.Q8_1, x, 1, 64);
      for (int b = 0; b < 2; b++) {
        float max = 0;
        for (int j = 0; j < 32; j++) {
          max = Math.max(max, Math.abs(x[32 * b + j]));
        }
        float d = max / 127.f;
        short dh = Float.floatToFloat16(d);
        float id = max != 0.0f ? 127.f / max : 0.0f;
        int sum = 0;
        for (int j = 0; j < 32; j++) {
          int q = (int) Math.rint(x[32 * b + j] * id); // _mm256_round_ps(_MM_ROUND_NEAREST), then cvtps
          sum += q;
          float expected = q * Float.float16ToFloat(dh);
          assertThat(q80.values()[32 * b + j]).as("seed %d trial %d element %d", seed, trial, 32 * b + j).isEqualTo(expected);
          assertThat(q81.values()[32 * b + j]).isEqualTo(expected);
          // kept as ggml keeps them, for the integer kernels
          assertThat(q80.q8Bytes[32 * b + j]).isEqualTo((byte) q);
          assertThat(q81.q8Bytes[32 * b + j]).isEqualTo((byte) q);
        }
        assertThat(q80.q8Scale[b]).isEqualTo(Float.float16ToFloat(dh));
        assertThat(q81.q8Scale[b]).isEqualTo(Float.float16ToFloat(dh));
        assertThat(q81.sum32(b)).as("seed %d trial %d: Q8_1's s", seed, trial).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(d * sum)));
      }
    }
  }

  @Test
  void q8_KIsGgmlsReferenceQuantization() {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    for (int trial = 0; trial < 100; trial++) {
      float[] x = input(rnd, 512);
      if (trial % 5 == 0) {
        Arrays.fill(x, 256, 512, 0f);
      }
      Input in = Input.of(InputFormat.Q8_K, x, 1, 512);
      for (int b = 0; b < 2; b++) {
        float max = 0;
        float amax = 0;
        for (int j = 0; j < 256; ++j) {
          float ax = Math.abs(x[256 * b + j]);
          if (ax > amax) {
            amax = ax;
            max = x[256 * b + j];
          }
        }
        float iscale = amax == 0 ? 0 : -127.f / max;
        float d = amax == 0 ? 0 : 1 / iscale;
        int[] bsums = new int[16];
        for (int j = 0; j < 256; ++j) {
          int q = amax == 0 ? 0 : Math.min(127, nearestInt(iscale * x[256 * b + j]));
          bsums[j / 16] += q;
          assertThat(in.values()[256 * b + j]).as("seed %d trial %d element %d", seed, trial, 256 * b + j).isEqualTo(q * d);
        }
        for (int g = 0; g < 16; g++) {
          assertThat((double) in.sum16(16 * b + g)).as("seed %d: bsums · d", seed).isCloseTo(bsums[g] * (double) d,
              Assertions.within(1e-5 * Math.abs(d) * 16 * 127));
        }
      }
    }
  }

  /** The integer form the K-quants' kernels read: the same q in lane order, d, and ggml's bsums, for every vector. */
  @Test
  void q8_KIntegersAreTheValuesInLaneOrder() {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    boolean[] seen = new boolean[256];
    for (int i = 0; i < 256; i++) {
      seen[Input.laneOrder(i)] = true;
    }
    assertThat(seen).containsOnly(true);
    float[] x = input(rnd, 3 * 512);
    Arrays.fill(x, 512 + 256, 1024, 0f);
    Input in = Input.of(InputFormat.Q8_K, x, 3, 512);
    for (int b = 0; b < 6; b++) {
      for (int g = 0; g < 16; g++) {
        int sum = 0;
        for (int k = 0; k < 16; k++) {
          int i = 256 * b + 16 * g + k;
          int q = in.q8[256 * b + Input.laneOrder(16 * g + k)];
          assertThat(q).as("seed %d element %d", seed, i).isBetween(-127, 127);
          assertThat(q * in.q8Scale[b]).as("seed %d element %d", seed, i).isEqualTo(in.values()[i]);
          sum += q;
        }
        assertThat(in.q8Sums[16 * b + g]).as("seed %d block %d group %d", seed, b, g).isEqualTo(sum);
      }
    }
    assertThat(in.q8Scale[3]).isZero();
  }

  @Test
  void halfFormatsRoundToNearestEven() {
    float[] x = {1.0009765625f / 2 + 1f / 4096, Float.intBitsToFloat(0x3F808000), Float.intBitsToFloat(0x3F818000), 65520f, -0f, Float.NaN};
    Input f16 = Input.of(InputFormat.F16, x, 1, x.length);
    Input bf16 = Input.of(InputFormat.BF16, x, 1, x.length);
    for (int i = 0; i < x.length; i++) {
      assertThat(Float.valueOf(f16.values()[i])).isEqualTo(Float.valueOf(Float.float16ToFloat(Float.floatToFloat16(x[i]))));
    }
    assertThat(bf16.values()[1]).isEqualTo(1.0f); // 0x3F808000 ties to the even 0x3F80
    assertThat(bf16.values()[2]).isEqualTo(Float.intBitsToFloat(0x3F820000)); // 0x3F818000 ties up to 0x3F82
    assertThat(f16.values()[3]).isEqualTo(Float.POSITIVE_INFINITY); // past the largest half
    assertThat(Float.isNaN(bf16.values()[5])).isTrue();
  }

  @Test
  void f32IsUnchangedAndRowsArePaddedToWholeSums() {
    float[] x = new float[2 * 20];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
    }
    Input in = Input.of(InputFormat.F32, x, 2, 20);
    assertThat(in.stride()).isEqualTo(32);
    for (int i = 0; i < 20; i++) {
      assertThat(in.values()[i]).isEqualTo(i);
      assertThat(in.values()[32 + i]).isEqualTo(20 + i);
    }
    assertThat(in.values()[20]).isZero();
    assertThat(in.sum32(1)).isEqualTo((20 + 39) * 10);
  }
}
