package org.recycledattention.model.tensor;

import java.util.Arrays;

/**
 * How a weight type's kernels read their activations: ggml's {@code vec_dot_type}. Before a matrix
 * product llama.cpp converts the f32 activations to this format (per row of activations, with the
 * x86 code's rounding); {@link #prepare} does the same and stores each value as the f32 it stands
 * for ({@code q · d}), so that the kernels multiply f32 lanes and still compute llama.cpp's
 * products (only the order of the f32 additions differs).
 *
 * <ul>
 *   <li>{@link #F32}: unchanged (F32 weights).
 *   <li>{@link #F16}, {@link #BF16}: each value rounded to that half type, to nearest even.
 *   <li>{@link #Q8_0}: blocks of 32, {@code d = max|x| / 127} stored as f16, {@code q =
 *       rint(x · 127 / max|x|)} ({@code quantize_row_q8_0}'s AVX path; Q4_0, Q5_0, Q8_0, IQ4_NL).
 *       Also kept as ggml keeps it, for Q8_0's integer kernel: the {@code q} as bytes and {@code d}.
 *   <li>{@link #Q8_1}: Q8_0's values plus, per block, {@code s = f16(d · Σq)} with the unrounded
 *       {@code d} (Q4_1, Q5_1 use {@code s} for their minimum term).
 *   <li>{@link #Q8_K}: blocks of 256, the element of largest magnitude {@code max} (signed) maps to
 *       -127: {@code q = min(127, rint(-127 / max · x))}, {@code d = max / -127} in f32
 *       ({@code quantize_row_q8_K_ref}; the K-quants and IQ4_XS). Also kept as ggml keeps it, for
 *       those types' integer kernels: the {@code q} (as shorts, in {@link Input#laneOrder}), {@code
 *       d} and the 16-sums of the {@code q} ({@code bsums}).
 * </ul>
 *
 * <p>Alongside the values, {@link Input} keeps sums of each 16 and 32 values (ggml's {@code bsums}
 * times {@code d}; for Q8_1 the 32-sums are {@code s}), which the types with a minimum term use.
 */
public enum InputFormat {
  F32(1),
  F16(1),
  BF16(1),
  Q8_0(32),
  Q8_1(32),
  Q8_K(256);

  private final int blockSize;

  InputFormat(int blockSize) {
    this.blockSize = blockSize;
  }

  /** Elements per block: a row of activations must hold a whole number of them. */
  public int blockSize() {
    return blockSize;
  }

  /**
   * Converts {@code n} values of {@code src} from {@code srcOffset} into {@code in}'s values from
   * {@code dstOffset}, and fills their 16- and 32-sums from {@code dstOffset / 16} and {@code
   * dstOffset / 32} (for Q8_K also the quantized values in lane order, {@code d} and {@code bsums}).
   * {@code n} is a multiple of 32 and of the block size.
   */
  void prepare(float[] src, int srcOffset, int n, Input in, int dstOffset) {
    float[] dst = in.values;
    switch (this) {
      case F32 -> System.arraycopy(src, srcOffset, dst, dstOffset, n);
      case F16 -> {
        for (int i = 0; i < n; i++) {
          dst[dstOffset + i] = Float.float16ToFloat(Float.floatToFloat16(src[srcOffset + i]));
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          dst[dstOffset + i] = Float.intBitsToFloat(HalfTensor.toBf16(src[srcOffset + i]) << 16);
        }
      }
      case Q8_0, Q8_1 -> {
        for (int b = 0; b < n; b += 32) {
          quantizeQ8(src, srcOffset + b, in, dstOffset + b);
        }
      }
      case Q8_K -> {
        for (int b = 0; b < n; b += 256) {
          quantizeQ8K(src, srcOffset + b, in, dstOffset + b);
        }
      }
    }
    sums(dst, dstOffset, n, in.sums16, 16, this == Q8_1 ? null : in.sums32);
  }

  /**
   * quantize_row_q8_0/q8_1 (x86): 32 values, stored as f32 and as {@link Input#q8Bytes} with the f16
   * {@code d}; the f32 {@code d · Σq} goes to the block's 32-sum rounded to f16 (Q8_1's {@code s}).
   */
  private static void quantizeQ8(float[] x, int from, Input in, int to) {
    float[] dst = in.values;
    float amax = 0f;
    for (int i = 0; i < 32; i++) {
      amax = Math.max(amax, Math.abs(x[from + i]));
    }
    float d = amax / 127f;
    float dh = Float.float16ToFloat(Float.floatToFloat16(d));
    float id = amax != 0f ? 127f / amax : 0f;
    int sum = 0;
    for (int i = 0; i < 32; i++) {
      int q = (int) Math.rint(x[from + i] * id);
      sum += q;
      dst[to + i] = q * dh;
      in.q8Bytes[to + i] = (byte) q;
    }
    in.q8Scale[to / 32] = dh;
    in.sums32[to / 32] = Float.float16ToFloat(Float.floatToFloat16(d * sum));
  }

  /** {@link Input#laneOrder} of 0 to 255. */
  private static final int[] LANE_ORDER = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      LANE_ORDER[i] = Input.laneOrder(i);
    }
  }

  /** quantize_row_q8_K_ref: 256 values, stored as f32 and as {@link Input#q8} (with d and bsums). */
  private static void quantizeQ8K(float[] x, int from, Input in, int to) {
    float[] dst = in.values;
    float max = 0f;
    float amax = 0f;
    for (int i = 0; i < 256; i++) {
      float ax = Math.abs(x[from + i]);
      if (ax > amax) {
        amax = ax;
        max = x[from + i];
      }
    }
    if (amax == 0f) {
      Arrays.fill(dst, to, to + 256, 0f);
      Arrays.fill(in.q8, to, to + 256, (short) 0);
      Arrays.fill(in.q8Sums, to / 16, to / 16 + 16, 0);
      in.q8Scale[to / 256] = 0f;
      return;
    }
    float iscale = -127f / max;
    float d = 1 / iscale;
    in.q8Scale[to / 256] = d;
    short[] q8 = in.q8;
    for (int g = 0; g < 16; g++) {
      int sum = 0;
      for (int k = 0; k < 16; k++) {
        int i = 16 * g + k;
        int q = Math.min(127, (int) Math.rint(iscale * x[from + i]));
        dst[to + i] = q * d;
        q8[to + LANE_ORDER[i]] = (short) q;
        sum += q;
      }
      in.q8Sums[to / 16 + g] = sum;
    }
  }

  /** Sums of each {@code group} values into {@code out} (and of each two groups into {@code pairs}, when given). */
  private static void sums(float[] v, int from, int n, float[] out, int group, float[] pairs) {
    for (int g = 0; g < n / group; g++) {
      float s = 0f;
      for (int i = 0; i < group; i++) {
        s += v[from + g * group + i];
      }
      out[from / group + g] = s;
      if (pairs != null && (g & 1) == 1) {
        pairs[from / (2 * group) + g / 2] = out[from / group + g - 1] + s;
      }
    }
  }
}
