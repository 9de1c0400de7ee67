package org.recycledattention.model.format.gguf.writer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.recycledattention.model.tensor.GgmlType;
import org.recycledattention.model.tensor.HalfTensor;

/**
 * ggml's reference quantizers ({@code ggml-quants.c}), bit for bit: the same f32 arithmetic, f16
 * scales rounded to nearest even, and C's rounding ({@code roundf}, {@code (int8_t)} truncation).
 * Stateless.
 */
public final class GgmlQuantizer {
  /** Elements per Q8_0/Q4_0 block. */
  public static final int BLOCK = 32;

  private GgmlQuantizer() {}

  /** Elements per K-quant super-block. */
  public static final int QK_K = 256;

  /** The types {@link #encode} writes. */
  public static final Set<GgmlType> WRITABLE = EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
      GgmlType.Q4_0, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);

  private static final float GROUP_MAX_EPS = 1e-15f;

  /** Bytes {@code n} elements take as {@code type}. */
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
          out.putShort(HalfTensor.toBf16(src[offset + i]));
        }
      }
      case Q8_0 -> quantizeQ8_0(src, offset, n, out);
      case Q4_0 -> quantizeQ4_0(src, offset, n, out);
      case Q5_0 -> quantizeQ5_0(src, offset, n, out);
      case Q5_1 -> quantizeQ5_1(src, offset, n, out);
      case Q4_K -> quantizeQ4_K(src, offset, n, out);
      case Q5_K -> quantizeQ5_K(src, offset, n, out);
      case Q6_K -> quantizeQ6_K(src, offset, n, out);
      default -> throw new IllegalArgumentException("cannot write tensors of type " + type + "; writable: " + WRITABLE);
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
      float d = signedMax(x, offset + b) / -8;
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

  /**
   * {@code quantize_row_q5_0_ref}: per block the element of largest magnitude {@code max} (with its
   * sign), {@code d = max / -16}, {@code q = min(31, (int8_t)(x · (1/d) + 16.5f))}; stored as f16
   * {@code d}, the 32 fifth bits as a little-endian word, then the low nibbles laid out as Q4_0's.
   */
  public static void quantizeQ5_0(float[] x, int offset, int n, ByteBuffer out) {
    checkBlocks(n);
    for (int b = 0; b < n; b += BLOCK) {
      float d = signedMax(x, offset + b) / -16;
      float id = d != 0f ? 1.0f / d : 0.0f;
      int[] q = new int[BLOCK];
      for (int j = 0; j < BLOCK; j++) {
        q[j] = Math.min(31, int8Trunc(x[offset + b + j] * id + 16.5f)) & 0xFF;
      }
      putFifthBits(out, Float.floatToFloat16(d), null, q);
    }
  }

  /**
   * {@code quantize_row_q5_1_ref}: per block {@code d = (max - min) / 31}, {@code q = (uint8_t)((x -
   * min) · (1/d) + 0.5f)}; stored as f16 {@code d}, f16 {@code min}, the fifth bits, the nibbles.
   */
  public static void quantizeQ5_1(float[] x, int offset, int n, ByteBuffer out) {
    checkBlocks(n);
    for (int b = 0; b < n; b += BLOCK) {
      float min = Float.MAX_VALUE;
      float max = -Float.MAX_VALUE;
      for (int j = 0; j < BLOCK; j++) {
        float v = x[offset + b + j];
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      float d = (max - min) / ((1 << 5) - 1);
      float id = d != 0f ? 1.0f / d : 0.0f;
      int[] q = new int[BLOCK];
      for (int j = 0; j < BLOCK; j++) {
        q[j] = (int) ((x[offset + b + j] - min) * id + 0.5f) & 0xFF;
      }
      putFifthBits(out, Float.floatToFloat16(d), Float.floatToFloat16(min), q);
    }
  }

  /** The first of the block's 32 values with the largest magnitude, with its sign (Q4_0's and Q5_0's {@code max}). */
  private static float signedMax(float[] x, int from) {
    float amax = 0f;
    float max = 0f;
    for (int j = 0; j < BLOCK; j++) {
      float v = x[from + j];
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    return max;
  }

  private static void putFifthBits(ByteBuffer out, short d, Short m, int[] q) {
    out.putShort(d);
    if (m != null) {
      out.putShort(m);
    }
    int qh = 0;
    for (int j = 0; j < BLOCK; j++) {
      qh |= ((q[j] & 0x10) >>> 4) << j;
    }
    out.putInt(qh);
    for (int j = 0; j < BLOCK / 2; j++) {
      out.put((byte) ((q[j] & 0x0F) | ((q[j + BLOCK / 2] & 0x0F) << 4)));
    }
  }

  /** {@code quantize_row_q4_K_ref}: per 32-element sub-block a 6-bit scale and minimum (best fit by {@code make_qkx2_quants}), 4-bit values. */
  public static void quantizeQ4_K(float[] x, int offset, int n, ByteBuffer out) {
    quantizeQ45K(x, offset, n, out, 15, -1f, 20);
  }

  /** {@code quantize_row_q5_K_ref}: Q4_K's scheme with 5-bit values (the fifth bits in {@code qh}). */
  public static void quantizeQ5_K(float[] x, int offset, int n, ByteBuffer out) {
    quantizeQ45K(x, offset, n, out, 31, -0.5f, 15);
  }

  private static void quantizeQ45K(float[] xs, int offset, int n, ByteBuffer out, int nmax, float rmin, int nstep) {
    checkSuperBlocks(n);
    int[] l = new int[QK_K];
    int[] laux = new int[32];
    float[] weights = new float[32];
    float[] mins = new float[QK_K / 32];
    float[] scales = new float[QK_K / 32];
    float[] theMin = new float[1];
    for (int i = 0; i < n; i += QK_K) {
      int x = offset + i;
      float maxScale = 0;
      float maxMin = 0;
      for (int j = 0; j < QK_K / 32; ++j) {
        float sumX2 = 0;
        for (int k = 0; k < 32; ++k) {
          sumX2 += xs[x + 32 * j + k] * xs[x + 32 * j + k];
        }
        float avX = (float) Math.sqrt(sumX2 / 32);
        for (int k = 0; k < 32; ++k) {
          weights[k] = avX + Math.abs(xs[x + 32 * j + k]);
        }
        scales[j] = makeQkx2Quants(32, nmax, xs, x + 32 * j, weights, l, 32 * j, theMin, laux, rmin, 0.1f, nstep);
        mins[j] = theMin[0];
        maxScale = Math.max(maxScale, scales[j]);
        maxMin = Math.max(maxMin, mins[j]);
      }
      float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
      float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
      byte[] packed = new byte[12];
      for (int j = 0; j < QK_K / 32; ++j) {
        int ls = Math.min(63, nearestInt(invScale * scales[j]) & 0xFF);
        int lm = Math.min(63, nearestInt(invMin * mins[j]) & 0xFF);
        if (j < 4) {
          packed[j] = (byte) ls;
          packed[j + 4] = (byte) lm;
        } else {
          packed[j + 4] = (byte) ((ls & 0xF) | ((lm & 0xF) << 4));
          packed[j - 4] |= (byte) ((ls >> 4) << 6);
          packed[j] |= (byte) ((lm >> 4) << 6);
        }
      }
      short dh = Float.floatToFloat16(maxScale / 63.f);
      short dminh = Float.floatToFloat16(maxMin / 63.f);
      for (int j = 0; j < QK_K / 32; ++j) {
        int sc = j < 4 ? packed[j] & 63 : (packed[j + 4] & 0xF) | (((packed[j - 4] & 0xFF) >> 6) << 4);
        int m = j < 4 ? packed[j + 4] & 63 : ((packed[j + 4] & 0xFF) >> 4) | (((packed[j] & 0xFF) >> 6) << 4);
        float d = Float.float16ToFloat(dh) * sc;
        if (d == 0) {
          continue;
        }
        float dm = Float.float16ToFloat(dminh) * m;
        for (int ii = 0; ii < 32; ++ii) {
          l[32 * j + ii] = Math.max(0, Math.min(nmax, nearestInt((xs[x + 32 * j + ii] + dm) / d)));
        }
      }
      out.putShort(dh).putShort(dminh).put(packed);
      if (nmax == 31) {
        byte[] qh = new byte[QK_K / 8];
        for (int k = 0; k < QK_K; k++) {
          if (l[k] > 15) {
            l[k] -= 16;
            qh[k % 32] |= (byte) (1 << (k / 32));
          }
        }
        out.put(qh);
      }
      for (int j = 0; j < QK_K; j += 64) {
        for (int k = 0; k < 32; ++k) {
          out.put((byte) (l[j + k] | (l[j + k + 32] << 4)));
        }
      }
    }
  }

  /** ggml's {@code make_qkx2_quants} (weighted least squares of scale and minimum over a few candidate scales); the minimum, negated, goes to {@code theMin[0]}. */
  private static float makeQkx2Quants(int n, int nmax, float[] xs, int x, float[] weights, int[] l, int lOffset, float[] theMin, int[] laux, float rmin,
      float rdelta, int nstep) {
    float min = xs[x];
    float max = xs[x];
    float sumW = weights[0];
    float sumX = sumW * xs[x];
    for (int i = 1; i < n; ++i) {
      min = Math.min(min, xs[x + i]);
      max = Math.max(max, xs[x + i]);
      float w = weights[i];
      sumW += w;
      sumX += w * xs[x + i];
    }
    if (min > 0) {
      min = 0;
    }
    if (max == min) {
      Arrays.fill(l, lOffset, lOffset + n, 0);
      theMin[0] = -min;
      return 0.f;
    }
    float iscale = nmax / (max - min);
    float scale = 1 / iscale;
    float bestMad = 0;
    for (int i = 0; i < n; ++i) {
      int q = Math.max(0, Math.min(nmax, nearestInt(iscale * (xs[x + i] - min))));
      l[lOffset + i] = q;
      float diff = scale * q + min - xs[x + i];
      bestMad += weights[i] * (diff * diff);
    }
    for (int is = 0; is <= nstep; ++is) {
      iscale = (rmin + rdelta * is + nmax) / (max - min);
      float sumL = 0;
      float sumL2 = 0;
      float sumXl = 0;
      for (int i = 0; i < n; ++i) {
        int q = Math.max(0, Math.min(nmax, nearestInt(iscale * (xs[x + i] - min))));
        laux[i] = q;
        float w = weights[i];
        sumL += w * q;
        sumL2 += w * q * q;
        sumXl += w * q * xs[x + i];
      }
      float det = sumW * sumL2 - sumL * sumL;
      if (det > 0) {
        float thisScale = (sumW * sumXl - sumX * sumL) / det;
        float thisMin = (sumL2 * sumX - sumL * sumXl) / det;
        if (thisMin > 0) {
          thisMin = 0;
          thisScale = sumXl / sumL2;
        }
        float mad = 0;
        for (int i = 0; i < n; ++i) {
          float diff = thisScale * laux[i] + thisMin - xs[x + i];
          mad += weights[i] * (diff * diff);
        }
        if (mad < bestMad) {
          System.arraycopy(laux, 0, l, lOffset, n);
          bestMad = mad;
          scale = thisScale;
          min = thisMin;
        }
      }
    }
    theMin[0] = -min;
    return scale;
  }

  /** {@code quantize_row_q6_K_ref}: per 16-element sub-block an 8-bit scale ({@code make_qx_quants}), 6-bit values. */
  public static void quantizeQ6_K(float[] xs, int offset, int n, ByteBuffer out) {
    checkSuperBlocks(n);
    int[] l = new int[QK_K];
    float[] scales = new float[QK_K / 16];
    for (int i = 0; i < n; i += QK_K) {
      int x = offset + i;
      float maxScale = 0;
      float maxAbsScale = 0;
      for (int ib = 0; ib < QK_K / 16; ++ib) {
        float scale = makeQxQuants(16, 32, xs, x + 16 * ib, l, 16 * ib);
        scales[ib] = scale;
        if (Math.abs(scale) > maxAbsScale) {
          maxAbsScale = Math.abs(scale);
          maxScale = scale;
        }
      }
      if (maxAbsScale < GROUP_MAX_EPS) {
        out.put(new byte[208]).putShort(Float.floatToFloat16(0f));
        continue;
      }
      float iscale = -128.f / maxScale;
      short dh = Float.floatToFloat16(1 / iscale);
      byte[] sc = new byte[QK_K / 16];
      for (int ib = 0; ib < QK_K / 16; ++ib) {
        sc[ib] = (byte) Math.min(127, nearestInt(iscale * scales[ib]));
      }
      for (int j = 0; j < QK_K / 16; ++j) {
        float d = Float.float16ToFloat(dh) * sc[j];
        if (d == 0) {
          continue;
        }
        for (int ii = 0; ii < 16; ++ii) {
          l[16 * j + ii] = Math.max(-32, Math.min(31, nearestInt(xs[x + 16 * j + ii] / d))) + 32;
        }
      }
      byte[] ql = new byte[QK_K / 2];
      byte[] qh = new byte[QK_K / 4];
      for (int j = 0; j < QK_K; j += 128) {
        for (int k = 0; k < 32; ++k) {
          ql[j / 2 + k] = (byte) ((l[j + k] & 0xF) | ((l[j + k + 64] & 0xF) << 4));
          ql[j / 2 + k + 32] = (byte) ((l[j + k + 32] & 0xF) | ((l[j + k + 96] & 0xF) << 4));
          qh[j / 4 + k] = (byte) ((l[j + k] >> 4) | ((l[j + k + 32] >> 4) << 2) | ((l[j + k + 64] >> 4) << 4) | ((l[j + k + 96] >> 4) << 6));
        }
      }
      out.put(ql).put(qh).put(sc).putShort(dh);
    }
  }

  /** ggml's {@code make_qx_quants} with {@code rmse_type} 1 and no importance weights: the scale of symmetric {@code nmax}-level values, refined over 18 candidates. */
  private static float makeQxQuants(int n, int nmax, float[] xs, int x, int[] l, int lOffset) {
    float max = 0;
    float amax = 0;
    for (int i = 0; i < n; ++i) {
      float ax = Math.abs(xs[x + i]);
      if (ax > amax) {
        amax = ax;
        max = xs[x + i];
      }
    }
    if (amax < GROUP_MAX_EPS) {
      Arrays.fill(l, lOffset, lOffset + n, 0);
      return 0.f;
    }
    float iscale = -nmax / max;
    float sumlx = 0;
    float suml2 = 0;
    for (int i = 0; i < n; ++i) {
      int q = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * xs[x + i])));
      l[lOffset + i] = q + nmax;
      float w = xs[x + i] * xs[x + i];
      sumlx += w * xs[x + i] * q;
      suml2 += w * q * q;
    }
    float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;
    for (int is = -9; is <= 9; ++is) {
      if (is == 0) {
        continue;
      }
      iscale = -(nmax + 0.1f * is) / max;
      sumlx = 0;
      suml2 = 0;
      for (int i = 0; i < n; ++i) {
        int q = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * xs[x + i])));
        float w = xs[x + i] * xs[x + i];
        sumlx += w * xs[x + i] * q;
        suml2 += w * q * q;
      }
      if (suml2 > 0 && sumlx * sumlx > best * suml2) {
        for (int i = 0; i < n; ++i) {
          l[lOffset + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * xs[x + i])));
        }
        scale = sumlx / suml2;
        best = scale * sumlx;
      }
    }
    return scale;
  }

  /** ggml's {@code nearest_int}: round to nearest, ties to even, through the float adder (valid below 2^22). */
  static int nearestInt(float v) {
    float val = v + 12582912.f;
    return (Float.floatToRawIntBits(val) & 0x007fffff) - 0x00400000;
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

  private static void checkSuperBlocks(int n) {
    if (n % QK_K != 0) {
      throw new IllegalArgumentException(n + " elements are not a whole number of super-blocks of " + QK_K);
    }
  }

  private static void checkBlocks(int n) {
    if (n % BLOCK != 0) {
      throw new IllegalArgumentException(n + " elements are not a whole number of blocks of " + BLOCK);
    }
  }
}
