package org.recycledattention.engine.ggufwriter;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.recycledattention.engine.tensor.GgmlType;
import org.recycledattention.engine.tensor.HalfTensor;

/**
 * ggml's reference quantizers ({@code ggml-quants.c}), bit for bit: the same f32 arithmetic, f16
 * scales rounded to nearest even, and C's rounding ({@code roundf}, {@code (int8_t)} truncation).
 * Stateless.
 */
public final class GgmlQuantizer {
  /** Elements per Q8_0/Q4_0 block. */
  public static final int BLOCK = 32;

  private GgmlQuantizer() {}

  /** Bytes {@code n} elements take as {@code type} (F32, F16, BF16, Q8_0, Q4_0). */
  public static long bytes(GgmlType type, long n) {
    long b = type.bytes(n);
    if (b < 0) {
      throw new IllegalArgumentException(n + " elements are not a whole number of " + type + " blocks of " + type.blockSize());
    }
    return b;
  }

  /**
   * Encodes {@code n} elements of {@code src} from {@code offset} as {@code type} into {@code dst}
   * (little-endian, at its position).
   */
  public static void encode(GgmlType type, float[] src, int offset, int n, ByteBuffer dst) {
    ByteBuffer out = dst.order(ByteOrder.LITTLE_ENDIAN);
    switch (type) {
      case F32 -> {
        for (int i = 0; i < n; i++) {
          out.putFloat(src[offset + i]);
        }
      }
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out.putShort(Float.floatToFloat16(src[offset + i]));
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          out.putShort(toBf16(src[offset + i]));
        }
      }
      case Q8_0 -> quantizeQ8_0(src, offset, n, out);
      case Q4_0 -> quantizeQ4_0(src, offset, n, out);
      default -> throw new IllegalArgumentException("cannot write tensors of type " + type + "; supported: F32, F16, BF16, Q8_0, Q4_0");
    }
  }

  /**
   * {@code quantize_row_q8_0_ref}: per block {@code d = max|x| / 127}, {@code q = roundf(x / d)}
   * (as {@code x · (1/d)}), stored as f16 {@code d} then 32 int8.
   */
  public static void quantizeQ8_0(float[] x, int offset, int n, ByteBuffer out) {
    checkBlocks(n);
    for (int b = 0; b < n; b += BLOCK) {
      float amax = 0f;
      for (int j = 0; j < BLOCK; j++) {
        amax = Math.max(amax, Math.abs(x[offset + b + j]));
      }
      float d = amax / ((1 << 7) - 1);
      float id = d != 0f ? 1.0f / d : 0.0f;
      out.putShort(Float.floatToFloat16(d));
      for (int j = 0; j < BLOCK; j++) {
        float x0 = x[offset + b + j] * id;
        out.put((byte) roundf(x0));
      }
    }
  }

  /**
   * {@code quantize_row_q4_0_ref}: per block the element of largest magnitude {@code max} (with its
   * sign), {@code d = max / -8}, {@code q = min(15, (int8_t)(x · (1/d) + 8.5f))}; stored as f16 {@code d}
   * then 16 bytes, element {@code j} in the low nibble of byte {@code j}, element {@code j + 16} in
   * the high nibble.
   */
  public static void quantizeQ4_0(float[] x, int offset, int n, ByteBuffer out) {
    checkBlocks(n);
    for (int b = 0; b < n; b += BLOCK) {
      float amax = 0f;
      float max = 0f;
      for (int j = 0; j < BLOCK; j++) {
        float v = x[offset + b + j];
        if (amax < Math.abs(v)) {
          amax = Math.abs(v);
          max = v;
        }
      }
      float d = max / -8;
      float id = d != 0f ? 1.0f / d : 0.0f;
      out.putShort(Float.floatToFloat16(d));
      for (int j = 0; j < BLOCK / 2; j++) {
        float x0 = x[offset + b + j] * id;
        float x1 = x[offset + b + BLOCK / 2 + j] * id;
        int q0 = Math.min(15, int8Trunc(x0 + 8.5f));
        int q1 = Math.min(15, int8Trunc(x1 + 8.5f));
        out.put((byte) (q0 | (q1 << 4)));
      }
    }
  }

  /** C's {@code roundf}: halfway cases away from zero. */
  static float roundf(float v) {
    double a = Math.floor(Math.abs((double) v) + 0.5);
    return (float) (v < 0 ? -a : a);
  }

  /** C's {@code (int8_t)} of a float in range: truncation toward zero, then two's-complement wrap. */
  static int int8Trunc(float v) {
    return (byte) (int) v;
  }

  /** f32 -> bf16, rounding to nearest even; NaN stays a quiet NaN (as ggml's {@code GGML_FP32_TO_BF16}). */
  public static short toBf16(float v) {
    return HalfTensor.toBf16(v);
  }

  private static void checkBlocks(int n) {
    if (n % BLOCK != 0) {
      throw new IllegalArgumentException(n + " elements are not a whole number of blocks of " + BLOCK);
    }
  }
}
