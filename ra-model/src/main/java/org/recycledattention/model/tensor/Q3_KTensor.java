package org.recycledattention.model.tensor;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.ROL;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML {@code Q3_K}: super-blocks of 256 elements in 16 sub-blocks of 16: 32 bytes of high bits
 * ({@code hmask}), 64 bytes of low 2-bit values, 12 bytes of 6-bit scales, f16 {@code d}. The low
 * bits are laid out as Q2_K's; element {@code 128·half + 32j + l} takes its high bit from bit
 * {@code 4·half + j} of {@code hmask[l]}, and is {@code q - 4} when that bit is clear, {@code q}
 * when set. The scales are unpacked as ggml does ({@code kmask1/kmask2}) and biased by 32: {@code d ·
 * (scale - 32) · value}. 110 bytes per block; activations {@link InputFormat#Q8_K}.
 */
public final class Q3_KTensor extends BlockTensor {
  Q3_KTensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q3_K, InputFormat.Q8_K, 16, false, name, data, rows, cols);
  }

  @Override
  ByteVector group(long block, int g) {
    Vec.touch(data, block);
    int half = g / 8;
    int j = g % 8 / 2;
    ByteVector low = Vec.shiftRight(Vec.bytes16(data, block + 32 + 32 * half + 16 * (g % 2)), 2 * j).and((byte) 3);
    return low.or(Vec.field(Vec.bytes16(data, block + 16 * (g % 2)), 4 * half + j, 2, 4)).sub((byte) 4);
  }

  /**
   * Per lane (group) {@code g}: the int of {@code hmask} holding unit 0 of the group, and the
   * rotation that moves its bit {@code 4·half + j} to bit 2.
   */
  private static final IntVector HIGH_INDEX = Vec.groupLanes(g -> 4 * (g % 2));
  private static final IntVector HIGH_ROTATE = Vec.groupLanes(g -> (34 - (4 * (g / 8) + g % 8 / 2)) % 32);

  @Override
  float kernel(long rowOffset, Input x, int xOffset) {
    return Vec.GROUP_LANES && x.format() == InputFormat.Q8_K ? lanes(rowOffset, x, xOffset)
        : Q2_KTensor.dot(data, rowOffset, blocks(), true, x, xOffset);
  }

  /**
   * The group-lane kernel (see {@link Q6_KTensor}) on the unsigned values {@code q + 4·bit} (up to 7,
   * one sum of 8 products per short lane), minus {@code 4 · bsums}.
   */
  private float lanes(long row, Input x, int xOffset) {
    Vec.touch(data, row);
    short[] q8 = x.q8;
    FloatVector acc = FloatVector.zero(Vec.F);
    for (int b = 0; b < blocks(); b++) {
      long block = row + 110L * b;
      int xb = xOffset + 256 * b;
      IntVector hmask = IntVector.fromMemorySegment(Vec.I16, data, block, Vec.LE);
      IntVector qs = IntVector.fromMemorySegment(Vec.I16, data, block + 32, Vec.LE);
      ShortVector sum = ShortVector.zero(Vec.S32);
      for (int m = 0; m < 4; m++) {
        IntVector low = Q2_KTensor.PAIR_INDEX.add(m).selectFrom(qs).lanewise(LSHR, Q2_KTensor.PAIR_SHIFT)
            .and(0x03030303);
        IntVector high = HIGH_INDEX.add(m).selectFrom(hmask).lanewise(ROL, HIGH_ROTATE).and(0x04040404);
        ShortVector w = low.or(high).reinterpretAsShorts();
        sum = sum.add(w.and((short) 0xFF).mul(ShortVector.fromArray(Vec.S32, q8, xb + 64 * m)))
            .add(w.lanewise(LSHR, 8).mul(ShortVector.fromArray(Vec.S32, q8, xb + 64 * m + 32)));
      }
      IntVector s = sum.reinterpretAsInts();
      IntVector dot = s.lanewise(LSHL, 16).lanewise(ASHR, 16).add(s.lanewise(ASHR, 16))
          .sub(IntVector.fromArray(Vec.I16, x.q8Sums, xb / 16).lanewise(LSHL, 2));
      IntVector scales = ((IntVector) LongVector.broadcast(LongVector.SPECIES_128, scaleBytes(data, block, 0))
          .withLane(1, scaleBytes(data, block, 1)).reinterpretAsBytes().castShape(Vec.I16, 0)).sub(32);
      float d = Vec.f16(data, block + 108) * x.q8Scale[xb / 256];
      acc = ((FloatVector) dot.mul(scales).castShape(Vec.F, 0)).fma(FloatVector.broadcast(Vec.F, d), acc);
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  /**
   * Scales {@code 8·part .. 8·part + 7}, unbiased (0 to 63), one per byte: their low nibbles are the
   * low ({@code part} 0) or high nibbles of bytes 0 to 7, their top 2 bits from bytes 8 to 11 (see
   * {@link #scale}).
   */
  static long scaleBytes(MemorySegment data, long block, int part) {
    long low = (data.get(Vec.LONG, block + 96) >>> (4 * part)) & 0x0F0F0F0F0F0F0F0FL;
    long top = data.get(Vec.INT, block + 104) & 0xFFFFFFFFL;
    // byte i of the result takes bits 2(i / 4) of byte 8 + i % 4, plus 4 for the second part
    long tops = (top >>> (4 * part)) & 0x03030303L | ((top >>> (4 * part + 2)) & 0x03030303L) << 32;
    return low | tops << 4;
  }

  /**
   * Sub-block {@code g}'s scale, {@code scale - 32}, unpacked as ggml does ({@code kmask1/kmask2}):
   * the low 4 bits of scales 0 to 7 are the low nibbles of bytes 0 to 7, of scales 8 to 15 the high
   * nibbles; their top 2 bits are bits {@code 2(g / 4), 2(g / 4) + 1} of byte {@code 8 + g % 4}.
   */
  static int scale(MemorySegment data, long block, int g) {
    int low = (data.get(ValueLayout.JAVA_BYTE, block + 96 + g % 8) & 0xFF) >>> (4 * (g / 8));
    int top = (data.get(ValueLayout.JAVA_BYTE, block + 104 + g % 4) & 0xFF) >>> (2 * (g / 4));
    return ((low & 0xF) | ((top & 3) << 4)) - 32;
  }

  @Override
  void scales(long block, float[] scale, float[] min) {
    float d = Vec.f16(data, block + 108);
    for (int s = 0; s < 16; s++) {
      scale[s] = d * scale(data, block, s);
    }
  }
}
