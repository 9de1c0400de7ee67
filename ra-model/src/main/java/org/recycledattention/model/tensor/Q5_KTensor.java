package org.recycledattention.model.tensor;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.ROL;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML {@code Q5_K}: Q4_K with a fifth bit: f16 {@code d} and {@code dmin}, the 12 bytes of scales
 * and minimums, 32 bytes of high bits ({@code qh}), then 128 bytes of nibbles laid out as Q4_K's.
 * Element {@code 32s + l} of sub-block {@code s} takes bit {@code s} of {@code qh[l]} as its fifth
 * bit: {@code d · scale · (nibble + 16·bit) - dmin · min}. 176 bytes per block; activations {@link
 * InputFormat#Q8_K}.
 */
public final class Q5_KTensor extends BlockTensor {
  Q5_KTensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q5_K, InputFormat.Q8_K, 32, true, name, data, rows, cols);
  }

  @Override
  void scales(long block, float[] scale, float[] min) {
    Q4_KTensor.scales(data, block, scale, min);
  }

  /**
   * Per lane (group) {@code g}: the int of {@code qh} holding unit 0 of the group, and the rotation
   * that moves its bit {@code g / 2} to bit 4.
   */
  private static final IntVector FIFTH_INDEX = Vec.groupLanes(g -> 4 * (g % 2));
  private static final IntVector FIFTH_ROTATE = Vec.groupLanes(g -> (36 - g / 2) % 32);

  @Override
  float kernel(long rowOffset, Input x, int xOffset) {
    return Vec.GROUP_LANES && x.format() == InputFormat.Q8_K ? lanes(rowOffset, x, xOffset)
        : Q4_KTensor.dot(data, rowOffset, blocks(), 176, 48, x, xOffset) + fifthBits(rowOffset, x, xOffset);
  }

  /** Q4_K's group-lane kernel with the fifth bits ORed in: values up to 31, 8 products per short lane still fit. */
  private float lanes(long row, Input x, int xOffset) {
    Vec.touch(data, row);
    short[] q8 = x.q8;
    FloatVector acc = FloatVector.zero(Vec.F);
    for (int b = 0; b < blocks(); b++) {
      long block = row + 176L * b;
      int xb = xOffset + 256 * b;
      IntVector qh = IntVector.fromMemorySegment(Vec.I16, data, block + 16, Vec.LE);
      IntVector q0 = IntVector.fromMemorySegment(Vec.I16, data, block + 48, Vec.LE);
      IntVector q1 = IntVector.fromMemorySegment(Vec.I16, data, block + 112, Vec.LE);
      ShortVector sum = ShortVector.zero(Vec.S32);
      for (int m = 0; m < 4; m++) {
        IntVector low = Q4_KTensor.NIBBLE_INDEX.add(m).selectFrom(q0, q1).lanewise(LSHR, Q4_KTensor.NIBBLE_SHIFT)
            .and(0x0F0F0F0F);
        IntVector high = FIFTH_INDEX.add(m).selectFrom(qh).lanewise(ROL, FIFTH_ROTATE).and(0x10101010);
        ShortVector w = low.or(high).reinterpretAsShorts();
        sum = sum.add(w.and((short) 0xFF).mul(ShortVector.fromArray(Vec.S32, q8, xb + 64 * m)))
            .add(w.lanewise(LSHR, 8).mul(ShortVector.fromArray(Vec.S32, q8, xb + 64 * m + 32)));
      }
      IntVector s = sum.reinterpretAsInts();
      IntVector dot = s.lanewise(LSHL, 16).lanewise(ASHR, 16).add(s.lanewise(ASHR, 16));
      ByteVector packed = LongVector.broadcast(LongVector.SPECIES_128, Q4_KTensor.packed(data, block, false))
          .withLane(1, Q4_KTensor.packed(data, block, true)).reinterpretAsBytes();
      IntVector scales = (IntVector) packed.rearrange(Q4_KTensor.SCALE_PER_GROUP).castShape(Vec.I16, 0);
      IntVector mins = (IntVector) packed.rearrange(Q4_KTensor.MIN_PER_GROUP).castShape(Vec.I16, 0);
      float dx = x.q8Scale[xb / 256];
      float d = Vec.f16(data, block) * dx;
      acc = ((FloatVector) dot.mul(scales).castShape(Vec.F, 0)).fma(FloatVector.broadcast(Vec.F, d), acc);
      IntVector offsets = mins.mul(IntVector.fromArray(Vec.I16, x.q8Sums, xb / 16));
      float dmin = -Vec.f16(data, block + 2) * dx;
      acc = ((FloatVector) offsets.castShape(Vec.F, 0)).fma(FloatVector.broadcast(Vec.F, dmin), acc);
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  /** The fifth bits' share of the dot product: {@code Σ d · scale · 16 · bit · x}. */
  private float fifthBits(long row, Input x, int xOffset) {
    Vec.touch(data, row);
    FloatVector acc = FloatVector.zero(Vec.F);
    for (int b = 0; b < blocks(); b++) {
      long block = row + 176L * b;
      float d16 = 16 * Vec.f16(data, block);
      long scales = Q4_KTensor.packed(data, block, false);
      for (int s = 0; s < 8; s++) {
        ByteVector bits0 = Vec.ifBits(Vec.bytes16(data, block + 16), 1 << s, 1);
        ByteVector bits1 = Vec.ifBits(Vec.bytes16(data, block + 32), 1 << s, 1);
        acc = Vec.addScaled(acc, Vec.dot32(bits0, bits1, x.values, xOffset + 256 * b + 32 * s), d16 * (int) ((scales >>> (8 * s)) & 0xFF));
      }
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  @Override
  ByteVector group(long block, int g) {
    Vec.touch(data, block);
    ByteVector fifth = Vec.field(Vec.bytes16(data, block + 16 + 16 * (g % 2)), g / 2, 4, 16);
    return Q4_KTensor.nibbles(data, block + 48, g).or(fifth);
  }
}
