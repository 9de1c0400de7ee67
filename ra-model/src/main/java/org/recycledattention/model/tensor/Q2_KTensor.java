package org.recycledattention.model.tensor;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML {@code Q2_K}: super-blocks of 256 elements in 16 sub-blocks of 16: 16 bytes of 4-bit scales
 * (low nibble) and minimums (high nibble), 64 bytes of 2-bit values, f16 {@code d} and {@code
 * dmin}. Each half (128 elements) takes 32 bytes of values: element {@code 32j + l} ({@code l <
 * 32}) is bits {@code 2j, 2j+1} of byte {@code l}, and sub-block {@code 8·half + 2j + l / 16} scales
 * it: {@code d · scale · q - dmin · min}. 84 bytes per block; activations {@link InputFormat#Q8_K}.
 */
public final class Q2_KTensor extends BlockTensor {
  Q2_KTensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q2_K, InputFormat.Q8_K, 16, true, name, data, rows, cols);
  }

  /** Per lane (group) {@code g}: the int of the 2-bit values holding unit 0 of the group, and its values' shift. */
  static final IntVector PAIR_INDEX = Vec.groupLanes(g -> 8 * (g / 8) + 4 * (g % 2));
  static final IntVector PAIR_SHIFT = Vec.groupLanes(g -> 2 * (g % 8 / 2));

  @Override
  float kernel(long rowOffset, Input x, int xOffset) {
    return Vec.GROUP_LANES && x.format() == InputFormat.Q8_K ? lanes(rowOffset, x, xOffset)
        : dot(data, rowOffset, blocks(), false, x, xOffset);
  }

  /** The group-lane kernel (see {@link Q6_KTensor}): values up to 3, one sum of 8 products per short lane. */
  private float lanes(long row, Input x, int xOffset) {
    Vec.touch(data, row);
    short[] q8 = x.q8;
    FloatVector acc = FloatVector.zero(Vec.F);
    for (int b = 0; b < blocks(); b++) {
      long block = row + 84L * b;
      int xb = xOffset + 256 * b;
      IntVector qs = IntVector.fromMemorySegment(Vec.I16, data, block + 16, Vec.LE);
      ShortVector sum = ShortVector.zero(Vec.S32);
      for (int m = 0; m < 4; m++) {
        ShortVector w = PAIR_INDEX.add(m).selectFrom(qs).lanewise(LSHR, PAIR_SHIFT).and(0x03030303)
            .reinterpretAsShorts();
        sum = sum.add(w.and((short) 0xFF).mul(ShortVector.fromArray(Vec.S32, q8, xb + 64 * m)))
            .add(w.lanewise(LSHR, 8).mul(ShortVector.fromArray(Vec.S32, q8, xb + 64 * m + 32)));
      }
      IntVector s = sum.reinterpretAsInts();
      IntVector dot = s.lanewise(LSHL, 16).lanewise(ASHR, 16).add(s.lanewise(ASHR, 16));
      IntVector packed = (IntVector) ByteVector.fromMemorySegment(Vec.B16, data, block, Vec.LE).castShape(Vec.I16, 0);
      IntVector scales = packed.and(0xF);
      IntVector mins = packed.lanewise(LSHR, 4).and(0xF);
      float dx = x.q8Scale[xb / 256];
      float d = Vec.f16(data, block + 80) * dx;
      acc = ((FloatVector) dot.mul(scales).castShape(Vec.F, 0)).fma(FloatVector.broadcast(Vec.F, d), acc);
      IntVector offsets = mins.mul(IntVector.fromArray(Vec.I16, x.q8Sums, xb / 16));
      float dmin = -Vec.f16(data, block + 82) * dx;
      acc = ((FloatVector) offsets.castShape(Vec.F, 0)).fma(FloatVector.broadcast(Vec.F, dmin), acc);
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  /**
   * The kernel of Q2_K ({@code three} false) and Q3_K: 16 groups of 16 2-bit values per block, each
   * with its own scale; Q3_K adds each value's high bit (from {@code hmask}) and subtracts 4, Q2_K
   * subtracts its minimums (through the activations' 16-sums). Branch-free on vectors: Q2_K reads
   * its scale bytes as the "high bits" and drops them.
   */
  static float dot(MemorySegment data, long row, int blocks, boolean three, Input x, int xOffset) {
    Vec.touch(data, row);
    float[] v = x.values;
    int blockBytes = three ? 110 : 84;
    int qs = three ? 32 : 16;
    int high = three ? 4 : 0;
    FloatVector acc = FloatVector.zero(Vec.F);
    float offsets = 0f;
    for (int b = 0; b < blocks; b++) {
      long block = row + (long) blockBytes * b;
      int xb = xOffset + 256 * b;
      float d = Vec.f16(data, block + (three ? 108 : 80));
      float dmin = three ? 0f : Vec.f16(data, block + 82);
      for (int g = 0; g < 16; g++) {
        int half = g / 8;
        int j = g % 8 / 2;
        ByteVector q = Vec.shiftRight(Vec.bytes16(data, block + qs + 32 * half + 16 * (g % 2)), 2 * j).and((byte) 3);
        q = q.or(Vec.ifBits(Vec.bytes16(data, block + 16 * (g % 2)), 1 << (4 * half + j), high)).sub((byte) high);
        int sc = three ? Q3_KTensor.scale(data, block, g) : data.get(ValueLayout.JAVA_BYTE, block + g) & 0xFF;
        acc = Vec.addScaled(acc, Vec.fma16(q, v, xb + 16 * g, FloatVector.zero(Vec.F)), d * (three ? sc : sc & 0xF));
        offsets -= dmin * (sc >>> 4) * x.sums16[xb / 16 + g];
      }
    }
    return acc.reduceLanes(VectorOperators.ADD) + offsets;
  }

  @Override
  ByteVector group(long block, int g) {
    Vec.touch(data, block);
    int half = g / 8;
    int j = g % 8 / 2;
    return Vec.shiftRight(Vec.bytes16(data, block + 16 + 32 * half + 16 * (g % 2)), 2 * j).and((byte) 3);
  }

  @Override
  void scales(long block, float[] scale, float[] min) {
    float d = Vec.f16(data, block + 80);
    float dmin = Vec.f16(data, block + 82);
    for (int s = 0; s < 16; s++) {
      int sc = data.get(ValueLayout.JAVA_BYTE, block + s) & 0xFF;
      scale[s] = d * (sc & 0xF);
      min[s] = -(dmin * (sc >>> 4));
    }
  }
}
