package org.recycledattention.model.format.gguf.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.recycledattention.model.tensor.HalfTensor;

class GgmlQuantizerTest {
  /** Independent restatement of ggml's Q8_0: d = amax/127 in f32, q = round-half-away(x · (1/d)). */
  static byte[] referenceQ8_0(float[] x) {
    ByteBuffer out = ByteBuffer.allocate(x.length / 32 * 34).order(ByteOrder.LITTLE_ENDIAN);
    for (int b = 0; b < x.length; b += 32) {
      float amax = 0;
      for (int j = 0; j < 32; j++) {
        if (Math.abs(x[b + j]) > amax) {
          amax = Math.abs(x[b + j]);
        }
      }
      float d = amax / 127f;
      float id = d == 0 ? 0 : 1f / d;
      out.putShort(Float.floatToFloat16(d));
      for (int j = 0; j < 32; j++) {
        float v = x[b + j] * id;
        long q = v >= 0 ? Math.round((double) v) : -Math.round(-(double) v); // Math.round is half-up; mirror for negatives
        out.put((byte) q);
      }
    }
    return out.array();
  }

  /** Independent restatement of ggml's Q4_0: signed max, d = max / -8, q = min(15, trunc(x/d + 8.5)). */
  static byte[] referenceQ4_0(float[] x) {
    ByteBuffer out = ByteBuffer.allocate(x.length / 32 * 18).order(ByteOrder.LITTLE_ENDIAN);
    for (int b = 0; b < x.length; b += 32) {
      int arg = 0;
      for (int j = 1; j < 32; j++) {
        if (Math.abs(x[b + j]) > Math.abs(x[b + arg])) {
          arg = j;
        }
      }
      float d = x[b + arg] / -8f;
      float id = d == 0 ? 0 : 1f / d;
      out.putShort(Float.floatToFloat16(d));
      byte[] q = new byte[32];
      for (int j = 0; j < 32; j++) {
        float v = x[b + j] * id + 8.5f;
        q[j] = (byte) Math.min(15, (int) v);
      }
      for (int j = 0; j < 16; j++) {
        out.put((byte) ((q[j] & 0xF) | (q[j + 16] << 4)));
      }
    }
    return out.array();
  }

  static float[] randomValues(Random rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = switch (rnd.nextInt(10)) {
        case 0 -> 0f;
        case 1 -> (float) Math.scalb(rnd.nextGaussian(), 10);
        case 2 -> rnd.nextInt(9) - 4; // exact halves after scaling occur with integers
        default -> (float) rnd.nextGaussian();
      };
    }
    if (rnd.nextInt(4) == 0) {
      java.util.Arrays.fill(x, 0, 32, 0f); // an all-zero block: d = 0
    }
    return x;
  }

  /** Quantizes {@code n} values of {@code x} from {@code offset} (whole blocks of 32) into {@code out}. */
  private interface Quantizer {
    void quantize(float[] x, int offset, int n, ByteBuffer out);
  }

  /** An element as the type dequantizes it, and how far from the input it may be. */
  private record Element(double value, double bound) {}

  /** Element {@code j} of block {@code b} of {@code got}, dequantized. */
  private interface Dequantized {
    Element at(ByteBuffer got, int b, int j);
  }

  /**
   * 200 random vectors of 1 to 4 blocks: the quantizer writes {@code reference}'s bytes, and every
   * element dequantizes to within its bound of the input.
   */
  private static void check(
      int blockBytes, Quantizer quantizer, Function<float[], byte[]> reference, Dequantized element) {
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    for (int trial = 0; trial < 200; trial++) {
      float[] x = randomValues(rnd, 32 * (1 + rnd.nextInt(4)));
      ByteBuffer got = ByteBuffer.allocate(x.length / 32 * blockBytes).order(ByteOrder.LITTLE_ENDIAN);
      quantizer.quantize(x, 0, x.length, got);
      assertThat(got.array()).as("seed %d trial %d", seed, trial).isEqualTo(reference.apply(x));
      for (int b = 0; b < x.length / 32; b++) {
        for (int j = 0; j < 32; j++) {
          Element e = element.at(got, b, j);
          assertThat(Math.abs(e.value() - x[b * 32 + j])).as("seed %d", seed).isLessThanOrEqualTo(e.bound());
        }
      }
    }
  }

  @Test
  void q8_0MatchesTheReferenceAndDequantizesWithinHalfAStep() {
    check(34, GgmlQuantizer::quantizeQ8_0, GgmlQuantizerTest::referenceQ8_0, (got, b, j) -> {
      float d = Float.float16ToFloat(got.getShort(b * 34));
      // half a step, plus the f16 rounding of d (relative 2^-11) times |q| <= 127
      return new Element(got.get(b * 34 + 2 + j) * d, d / 2 + 127 * d * 0x1p-11 + 1e-30);
    });
  }

  @Test
  void q4_0MatchesTheReferenceAndKeepsTheLargestElementExactUpToTheScale() {
    check(18, GgmlQuantizer::quantizeQ4_0, GgmlQuantizerTest::referenceQ4_0, (got, b, j) -> {
      float d = Float.float16ToFloat(got.getShort(b * 18));
      int packed = got.get(b * 18 + 2 + (j % 16)) & 0xFF;
      int q = j < 16 ? packed & 0xF : packed >>> 4;
      // one step (the code range is asymmetric: -8..7 steps), plus the f16 rounding of d
      return new Element((q - 8) * d, Math.abs(d) * (1 + 8 * 0x1p-11) + 1e-30);
    });
  }

  @Test
  void cRoundingHelpersBehaveLikeC() {
    assertThat(GgmlQuantizer.roundf(2.5f)).isEqualTo(3f);
    assertThat(GgmlQuantizer.roundf(-2.5f)).isEqualTo(-3f);
    assertThat(GgmlQuantizer.roundf(0.49999997f)).isEqualTo(0f);
    assertThat(GgmlQuantizer.int8Trunc(15.9f)).isEqualTo(15);
    assertThat(GgmlQuantizer.int8Trunc(0.4f)).isEqualTo(0);
    assertThat(HalfTensor.toBf16(1.0f)).isEqualTo((short) 0x3F80);
    assertThat(HalfTensor.toBf16(Float.intBitsToFloat(0x3F808000))).isEqualTo((short) 0x3F80); // tie to even
    assertThat(HalfTensor.toBf16(Float.intBitsToFloat(0x3F818000))).isEqualTo((short) 0x3F82);
  }
}
