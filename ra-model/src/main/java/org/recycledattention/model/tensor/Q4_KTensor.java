package org.recycledattention.model.tensor;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

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

  /** Per lane (group) {@code g}: the int of the nibbles holding unit 0 of the group, and its nibble's shift. */
  static final IntVector NIBBLE_INDEX = Vec.groupLanes(g -> 8 * (g / 4) + 4 * (g % 2));
  static final IntVector NIBBLE_SHIFT = Vec.groupLanes(g -> 4 * (g / 2 % 2));
  /** Bytes 0 to 7 (scales) and 8 to 15 (minimums) of {@link #packed} each twice: one per group. */
  static final VectorShuffle<Byte> SCALE_PER_GROUP = VectorShuffle.fromOp(Vec.B16, i -> i / 2);
  static final VectorShuffle<Byte> MIN_PER_GROUP = VectorShuffle.fromOp(Vec.B16, i -> 8 + i / 2);

  @Override
  float kernel(long rowOffset, Input x, int xOffset) {
    return Vec.GROUP_LANES && x.format() == InputFormat.Q8_K ? lanes(rowOffset, x, xOffset)
        : dot(data, rowOffset, blocks(), 144, 16, x, xOffset);
  }

  /**
   * The group-lane kernel (see {@link Q6_KTensor}): the nibbles of elements {@code 4m .. 4m + 3} of
   * group {@code g} in int lane {@code g} (values up to 15: one sum of 8 products per short lane),
   * each sub-block's scale and minimum in the lanes of its two groups.
   */
  private float lanes(long row, Input x, int xOffset) {
    Vec.touch(data, row);
    short[] q8 = x.q8;
    FloatVector acc = FloatVector.zero(Vec.F);
    for (int b = 0; b < blocks(); b++) {
      long block = row + 144L * b;
      int xb = xOffset + 256 * b;
      IntVector q0 = IntVector.fromMemorySegment(Vec.I16, data, block + 16, Vec.LE);
      IntVector q1 = IntVector.fromMemorySegment(Vec.I16, data, block + 80, Vec.LE);
      // 8 products of at most 15 · 127 per short lane
      ShortVector sum = ShortVector.zero(Vec.S32);
      for (int m = 0; m < 4; m++) {
        ShortVector w = NIBBLE_INDEX.add(m).selectFrom(q0, q1).lanewise(LSHR, NIBBLE_SHIFT).and(0x0F0F0F0F)
            .reinterpretAsShorts();
        sum = sum.add(w.and((short) 0xFF).mul(ShortVector.fromArray(Vec.S32, q8, xb + 64 * m)))
            .add(w.lanewise(LSHR, 8).mul(ShortVector.fromArray(Vec.S32, q8, xb + 64 * m + 32)));
      }
      IntVector s = sum.reinterpretAsInts();
      IntVector dot = s.lanewise(LSHL, 16).lanewise(ASHR, 16).add(s.lanewise(ASHR, 16));
      ByteVector packed = LongVector.broadcast(LongVector.SPECIES_128, packed(data, block, false))
          .withLane(1, packed(data, block, true)).reinterpretAsBytes();
      IntVector scales = (IntVector) packed.rearrange(SCALE_PER_GROUP).castShape(Vec.I16, 0);
      IntVector mins = (IntVector) packed.rearrange(MIN_PER_GROUP).castShape(Vec.I16, 0);
      float dx = x.q8Scale[xb / 256];
      float d = Vec.f16(data, block) * dx;
      acc = ((FloatVector) dot.mul(scales).castShape(Vec.F, 0)).fma(FloatVector.broadcast(Vec.F, d), acc);
      IntVector offsets = mins.mul(IntVector.fromArray(Vec.I16, x.q8Sums, xb / 16));
      float dmin = -Vec.f16(data, block + 2) * dx;
      acc = ((FloatVector) offsets.castShape(Vec.F, 0)).fma(FloatVector.broadcast(Vec.F, dmin), acc);
    }
    return acc.reduceLanes(VectorOperators.ADD);
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
