package org.recycledattention.model.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Test reference: ggml's {@code dequantize_row_*} ({@code ggml-quants.c}), transcribed loop for loop
 * in their sequential {@code *y++} form, independent of the kernels' group decoders.
 */
final class GgmlReference {
  private static final int[] IQ4 = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

  private GgmlReference() {}

  /** Dequantizes the {@code type.blockSize()} elements of the block at {@code at} into {@code y[yAt ..]}. */
  static void block(GgmlType type, byte[] data, int at, float[] y, int yAt) {
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    int o = yAt;
    switch (type) {
      case Q8_0 -> {
        float d = h(b, at);
        for (int j = 0; j < 32; j++) y[o + j] = data[at + 2 + j] * d;
      }
      case Q4_0, Q4_1, IQ4_NL -> {
        boolean min = type == GgmlType.Q4_1;
        float d = h(b, at);
        float m = min ? h(b, at + 2) : 0;
        int qs = at + (min ? 4 : 2);
        for (int j = 0; j < 16; j++) {
          int x0 = data[qs + j] & 0x0F;
          int x1 = (data[qs + j] & 0xFF) >> 4;
          if (type == GgmlType.Q4_0) {
            y[o + j] = (x0 - 8) * d;
            y[o + j + 16] = (x1 - 8) * d;
          } else if (type == GgmlType.Q4_1) {
            y[o + j] = x0 * d + m;
            y[o + j + 16] = x1 * d + m;
          } else {
            y[o + j] = d * IQ4[x0];
            y[o + j + 16] = d * IQ4[x1];
          }
        }
      }
      case Q5_0, Q5_1 -> {
        boolean min = type == GgmlType.Q5_1;
        float d = h(b, at);
        float m = min ? h(b, at + 2) : 0;
        int qh = b.getInt(at + (min ? 4 : 2));
        int qs = at + (min ? 8 : 6);
        for (int j = 0; j < 16; j++) {
          int xh0 = ((qh >>> j) << 4) & 0x10;
          int xh1 = (qh >>> (j + 12)) & 0x10;
          int x0 = (data[qs + j] & 0x0F) | xh0;
          int x1 = ((data[qs + j] & 0xFF) >> 4) | xh1;
          y[o + j] = min ? x0 * d + m : (x0 - 16) * d;
          y[o + j + 16] = min ? x1 * d + m : (x1 - 16) * d;
        }
      }
      case Q2_K -> {
        float d = h(b, at + 80);
        float min = h(b, at + 82);
        int q = at + 16;
        int is = 0;
        for (int n = 0; n < 256; n += 128) {
          int shift = 0;
          for (int j = 0; j < 4; ++j) {
            int sc = data[at + is++] & 0xFF;
            float dl = d * (sc & 0xF);
            float ml = min * (sc >> 4);
            for (int l = 0; l < 16; ++l) y[o++] = dl * (((data[q + l] & 0xFF) >> shift) & 3) - ml;
            sc = data[at + is++] & 0xFF;
            dl = d * (sc & 0xF);
            ml = min * (sc >> 4);
            for (int l = 0; l < 16; ++l) y[o++] = dl * (((data[q + l + 16] & 0xFF) >> shift) & 3) - ml;
            shift += 2;
          }
          q += 32;
        }
      }
      case Q3_K -> {
        float dAll = h(b, at + 108);
        int[] aux = {b.getInt(at + 96), b.getInt(at + 100), b.getInt(at + 104), 0};
        int tmp = aux[2];
        int kmask1 = 0x03030303;
        int kmask2 = 0x0f0f0f0f;
        aux[2] = ((aux[0] >>> 4) & kmask2) | (((tmp >>> 4) & kmask1) << 4);
        aux[3] = ((aux[1] >>> 4) & kmask2) | (((tmp >>> 6) & kmask1) << 4);
        aux[0] = (aux[0] & kmask2) | (((tmp >>> 0) & kmask1) << 4);
        aux[1] = (aux[1] & kmask2) | (((tmp >>> 2) & kmask1) << 4);
        byte[] scales = new byte[16];
        ByteBuffer.wrap(scales).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().put(aux);
        int q = at + 32;
        int hm = at;
        int m = 1;
        int is = 0;
        for (int n = 0; n < 256; n += 128) {
          int shift = 0;
          for (int j = 0; j < 4; ++j) {
            float dl = dAll * (scales[is++] - 32);
            for (int l = 0; l < 16; ++l) y[o++] = dl * ((((data[q + l] & 0xFF) >> shift) & 3) - ((data[hm + l] & m) != 0 ? 0 : 4));
            dl = dAll * (scales[is++] - 32);
            for (int l = 0; l < 16; ++l) y[o++] = dl * ((((data[q + l + 16] & 0xFF) >> shift) & 3) - ((data[hm + l + 16] & m) != 0 ? 0 : 4));
            shift += 2;
            m <<= 1;
          }
          q += 32;
        }
      }
      case Q4_K, Q5_K -> {
        boolean five = type == GgmlType.Q5_K;
        float d = h(b, at);
        float min = h(b, at + 2);
        int sc = at + 4;
        int ql = at + (five ? 48 : 16);
        int qh = at + 16;
        int is = 0;
        int u1 = 1;
        int u2 = 2;
        for (int j = 0; j < 256; j += 64) {
          int[] sm1 = scaleMinK4(is, data, sc);
          int[] sm2 = scaleMinK4(is + 1, data, sc);
          float d1 = d * sm1[0];
          float m1 = min * sm1[1];
          float d2 = d * sm2[0];
          float m2 = min * sm2[1];
          for (int l = 0; l < 32; ++l) y[o++] = d1 * ((data[ql + l] & 0xF) + (five && (data[qh + l] & u1) != 0 ? 16 : 0)) - m1;
          for (int l = 0; l < 32; ++l) y[o++] = d2 * (((data[ql + l] & 0xFF) >> 4) + (five && (data[qh + l] & u2) != 0 ? 16 : 0)) - m2;
          ql += 32;
          is += 2;
          u1 <<= 2;
          u2 <<= 2;
        }
      }
      case Q6_K -> {
        float d = h(b, at + 208);
        int ql = at;
        int qh = at + 128;
        int sc = at + 192;
        for (int n = 0; n < 256; n += 128) {
          for (int l = 0; l < 32; ++l) {
            int is = l / 16;
            int q1 = (byte) ((data[ql + l] & 0xF) | (((data[qh + l] & 0xFF) >> 0) & 3) << 4) - 32;
            int q2 = (byte) ((data[ql + l + 32] & 0xF) | (((data[qh + l] & 0xFF) >> 2) & 3) << 4) - 32;
            int q3 = (byte) (((data[ql + l] & 0xFF) >> 4) | (((data[qh + l] & 0xFF) >> 4) & 3) << 4) - 32;
            int q4 = (byte) (((data[ql + l + 32] & 0xFF) >> 4) | (((data[qh + l] & 0xFF) >> 6) & 3) << 4) - 32;
            y[o + l] = d * data[sc + is] * q1;
            y[o + l + 32] = d * data[sc + is + 2] * q2;
            y[o + l + 64] = d * data[sc + is + 4] * q3;
            y[o + l + 96] = d * data[sc + is + 6] * q4;
          }
          o += 128;
          ql += 64;
          qh += 32;
          sc += 8;
        }
      }
      case IQ4_XS -> {
        float d = h(b, at);
        int scalesH = b.getShort(at + 2) & 0xFFFF;
        int qs = at + 8;
        for (int ib = 0; ib < 8; ++ib) {
          int ls = (((data[at + 4 + ib / 2] & 0xFF) >> 4 * (ib % 2)) & 0xf) | (((scalesH >> 2 * ib) & 3) << 4);
          float dl = d * (ls - 32);
          for (int j = 0; j < 16; ++j) {
            y[o + j] = dl * IQ4[data[qs + j] & 0xf];
            y[o + j + 16] = dl * IQ4[(data[qs + j] & 0xFF) >> 4];
          }
          o += 32;
          qs += 16;
        }
      }
      default -> throw new AssertionError(type);
    }
  }

  /** ggml's {@code get_scale_min_k4}: scale and minimum {@code j} of a Q4_K/Q5_K block's 12 bytes at {@code q}. */
  private static int[] scaleMinK4(int j, byte[] data, int q) {
    if (j < 4) {
      return new int[] {data[q + j] & 63, data[q + j + 4] & 63};
    }
    int d = (data[q + j + 4] & 0xF) | (((data[q + j - 4] & 0xFF) >> 6) << 4);
    int m = ((data[q + j + 4] & 0xFF) >> 4) | (((data[q + j] & 0xFF) >> 6) << 4);
    return new int[] {d, m};
  }

  private static float h(ByteBuffer b, int at) {
    return Float.float16ToFloat(b.getShort(at));
  }

  /**
   * Random blocks of {@code type}: random bytes with each f16 scale replaced by a finite random
   * value of either sign (ggml's minimums are stored as {@code dmin ≥ 0}, but any value must decode).
   */
  static byte[] randomBlocks(GgmlType type, int blocks, Random rnd) {
    byte[] data = new byte[blocks * type.blockBytes()];
    rnd.nextBytes(data);
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    int[] halves = switch (type) {
      case Q8_0, Q4_0, Q5_0, IQ4_NL, IQ4_XS -> new int[] {0};
      case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
      case Q2_K -> new int[] {80, 82};
      case Q3_K -> new int[] {108};
      case Q6_K -> new int[] {208};
      default -> throw new AssertionError(type);
    };
    for (int k = 0; k < blocks; k++) {
      for (int at : halves) {
        b.putShort(k * type.blockBytes() + at, Float.floatToFloat16((float) (rnd.nextGaussian() * 0.05)));
      }
    }
    return data;
  }
}
