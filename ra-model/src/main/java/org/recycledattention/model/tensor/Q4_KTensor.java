package org.recycledattention.model.tensor;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML {@code Q4_K}: super-blocks of 256 elements in 8 sub-blocks of 32: f16 {@code d} and {@code
 * dmin}, 12 bytes of 6-bit scales and minimums (ggml's {@code get_scale_min_k4}), then 128 bytes of
 * nibbles: each 64 elements take 32 bytes, low nibbles first (sub-block {@code 2p}), then high
 * nibbles (sub-block {@code 2p + 1}). An element is {@code d · scale · q - dmin · min}. 144 bytes
 * per block; activations {@link InputFormat#Q8_K}.
 */
public final class Q4_KTensor extends BlockTensor {
  Q4_KTensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q4_K, InputFormat.Q8_K, 32, true, name, data, rows, cols);
  }

  @Override
  float kernel(long rowOffset, Input x, int xOffset) {
    return dot(data, rowOffset, blocks(), 144, 16, x, xOffset);
  }

  /**
   * The 4-bit part of the Q4_K and Q5_K kernel: blocks of {@code blockBytes}, nibbles at {@code
   * qs}, scales and minimums at 4; Q5_K adds its fifth bits in a second pass. Scales stay in
   * registers (a vector store read back as scalars stalls store forwarding).
   */
  static float dot(MemorySegment data, long row, int blocks, int blockBytes, int qs, Input x, int xOffset) {
    Vec.touch(data, row);
    float[] v = x.values;
    FloatVector acc = FloatVector.zero(Vec.F);
    float offsets = 0f;
    for (int b = 0; b < blocks; b++) {
      long block = row + (long) blockBytes * b;
      int xb = xOffset + 256 * b;
      float d = Vec.f16(data, block);
      float dmin = Vec.f16(data, block + 2);
      long scales = packed(data, block, false);
      long mins = packed(data, block, true);
      for (int s = 0; s < 8; s++) {
        // sub-block s: nibble s % 2 of the 32 bytes of pair s / 2
        ByteVector q0 = Vec.nibbles(Vec.bytes16(data, block + qs + 32 * (s / 2)), s % 2);
        ByteVector q1 = Vec.nibbles(Vec.bytes16(data, block + qs + 32 * (s / 2) + 16), s % 2);
        acc = Vec.addScaled(acc, Vec.dot32(q0, q1, v, xb + 32 * s), d * (int) ((scales >>> (8 * s)) & 0xFF));
        offsets -= dmin * (int) ((mins >>> (8 * s)) & 0xFF) * x.sums32[xb / 32 + s];
      }
    }
    return acc.reduceLanes(VectorOperators.ADD) + offsets;
  }

  /**
   * The 8 six-bit scales (or minimums) of the block, one per byte of the result. Bytes 0 to 3 of
   * the 12 hold scales 0 to 3 and bytes 4 to 7 minimums 0 to 3 in their low 6 bits; scales and
   * minimums 4 to 7 are the low and high nibbles of bytes 8 to 11, with the top 2 bits of bytes 0
   * to 3 (scales) or 4 to 7 (minimums) above them.
   */
  static long packed(MemorySegment data, long block, boolean minimums) {
    int low = data.get(Vec.INT, block + (minimums ? 8 : 4));
    int nibbles = data.get(Vec.INT, block + 12) >>> (minimums ? 4 : 0);
    long high = (nibbles & 0x0F0F0F0F) | ((low >>> 2) & 0x30303030);
    return (low & 0x3F3F3F3FL) | (high << 32);
  }

  @Override
  ByteVector group(long block, int g) {
    return nibbles(data, block + 16, g);
  }

  /** Group {@code g}'s nibbles from the 128 bytes at {@code qs}, as Q4_K and Q5_K lay them out. */
  static ByteVector nibbles(MemorySegment data, long qs, int g) {
    Vec.touch(data, qs);
    int sub = g / 2;
    return Vec.nibbles(Vec.bytes16(data, qs + 32 * (sub / 2) + 16 * (g % 2)), sub % 2);
  }

  @Override
  void scales(long block, float[] scale, float[] min) {
    scales(data, block, scale, min);
  }

  /** Q4_K's and Q5_K's scales and minimums: {@code d · scale} and {@code -dmin · min} per sub-block. */
  static void scales(MemorySegment data, long block, float[] scale, float[] min) {
    float d = Vec.f16(data, block);
    float dmin = Vec.f16(data, block + 2);
    long scales = packed(data, block, false);
    long mins = packed(data, block, true);
    for (int s = 0; s < 8; s++) {
      scale[s] = d * (int) ((scales >>> (8 * s)) & 0xFF);
      min[s] = -(dmin * (int) ((mins >>> (8 * s)) & 0xFF));
    }
  }
}
