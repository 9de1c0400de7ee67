package org.recycledattention.model.tensor;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML {@code IQ4_XS}: super-blocks of 256 elements: f16 {@code d}, a 16-bit word of the scales'
 * high bits, 4 bytes of the scales' low nibbles, then 8 sub-blocks of 32 elements, each 16 bytes of
 * nibbles laid out as Q4_0's that index {@code kvalues_iq4nl}. Sub-block {@code i}'s 6-bit scale
 * {@code ls} (low nibble from byte {@code i / 2}, high bits {@code 2i, 2i+1} of the word) gives the
 * element {@code d · (ls - 32) · table[nibble]}. 136 bytes per block; activations {@link
 * InputFormat#Q8_K}.
 */
public final class IQ4_XSTensor extends BlockTensor {
  IQ4_XSTensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.IQ4_XS, InputFormat.Q8_K, 32, false, name, data, rows, cols);
  }

  /** Per lane (group) {@code g}: the int of the nibbles holding unit 0 of the group, and its nibble's shift. */
  private static final IntVector NIBBLE_INDEX = Vec.groupLanes(g -> 4 * (g / 2));
  private static final IntVector NIBBLE_SHIFT = Vec.groupLanes(g -> 4 * (g % 2));
  /**
   * Per lane {@code g}: the shifts of sub-block {@code g / 2}'s scale bits
   * in {@code scales_l} and {@code scales_h}.
   */
  private static final IntVector LOW_SHIFT = Vec.groupLanes(g -> 4 * (g / 2));
  private static final IntVector HIGH_SHIFT = Vec.groupLanes(g -> 2 * (g / 2));
  /** {@code kvalues_iq4nl} in the first 16 of 64 byte lanes, for a lookup of 64 nibbles at once. */
  private static final ByteVector TABLE =
      ByteVector.fromArray(ByteVector.SPECIES_512, Arrays.copyOf(Vec.IQ4_VALUES, 64), 0);

  @Override
  float kernel(long rowOffset, Input x, int xOffset) {
    return Vec.GROUP_LANES && x.format() == InputFormat.Q8_K ? lanes(rowOffset, x, xOffset)
        : floats(rowOffset, x, xOffset);
  }

  /**
   * The group-lane kernel (see {@link Q6_KTensor}) on the table's signed values: their products
   * reach 127 · 127, so each step's two per short lane become int sums at once.
   */
  private float lanes(long row, Input x, int xOffset) {
    Vec.touch(data, row);
    short[] q8 = x.q8;
    FloatVector acc = FloatVector.zero(Vec.F);
    for (int b = 0; b < blocks(); b++) {
      long block = row + 136L * b;
      int xb = xOffset + 256 * b;
      IntVector q0 = IntVector.fromMemorySegment(Vec.I16, data, block + 8, Vec.LE);
      IntVector q1 = IntVector.fromMemorySegment(Vec.I16, data, block + 72, Vec.LE);
      IntVector dot = IntVector.zero(Vec.I16);
      for (int m = 0; m < 4; m++) {
        IntVector nibbles = NIBBLE_INDEX.add(m).selectFrom(q0, q1).lanewise(LSHR, NIBBLE_SHIFT).and(0x0F0F0F0F);
        ShortVector w = nibbles.reinterpretAsBytes().selectFrom(TABLE).reinterpretAsShorts();
        ShortVector even = w.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(ShortVector.fromArray(Vec.S32, q8, xb + 64 * m));
        ShortVector odd = w.lanewise(ASHR, 8).mul(ShortVector.fromArray(Vec.S32, q8, xb + 64 * m + 32));
        IntVector p = even.add(odd).reinterpretAsInts();
        dot = dot.add(p.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(p.lanewise(ASHR, 16));
      }
      IntVector low = IntVector.broadcast(Vec.I16, data.get(Vec.INT, block + 4)).lanewise(LSHR, LOW_SHIFT).and(0xF);
      IntVector high = IntVector.broadcast(Vec.I16, data.get(Vec.SHORT, block + 2)).lanewise(LSHR, HIGH_SHIFT).and(3);
      IntVector scales = low.or(high.lanewise(LSHL, 4)).sub(32);
      float d = Vec.f16(data, block) * x.q8Scale[xb / 256];
      acc = ((FloatVector) dot.mul(scales).castShape(Vec.F, 0)).fma(FloatVector.broadcast(Vec.F, d), acc);
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  /** The kernel in f32 lanes: for the unquantized reference and without 512-bit vectors. */
  private float floats(long rowOffset, Input x, int xOffset) {
    Vec.touch(data, rowOffset);
    FloatVector acc = FloatVector.zero(Vec.F);
    for (int b = 0; b < blocks(); b++) {
      long block = rowOffset + 136L * b;
      float d = Vec.f16(data, block);
      for (int s = 0; s < 8; s++) {
        ByteVector q = Vec.bytes16(data, block + 8 + 16 * s);
        FloatVector sum = Vec.dot32(Vec.iq4(Vec.nibbles(q, 0)), Vec.iq4(Vec.nibbles(q, 1)), x.values, xOffset + 256 * b + 32 * s);
        acc = Vec.addScaled(acc, sum, d * scale(block, s));
      }
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  @Override
  ByteVector group(long block, int g) {
    Vec.touch(data, block);
    return Vec.iq4(Vec.nibbles(Vec.bytes16(data, block + 8 + 16 * (g / 2)), g % 2));
  }

  /** Sub-block {@code s}'s 6-bit scale minus 32: its low nibble from byte {@code s / 2} of {@code scales_l}, bits {@code 2s, 2s + 1} of {@code scales_h} above. */
  private int scale(long block, int s) {
    int low = data.get(ValueLayout.JAVA_BYTE, block + 4 + s / 2) >>> (4 * (s % 2));
    int high = data.get(Vec.SHORT, block + 2) >>> (2 * s);
    return ((low & 0xF) | ((high & 3) << 4)) - 32;
  }

  @Override
  void scales(long block, float[] scale, float[] min) {
    for (int s = 0; s < 8; s++) {
      scale[s] = Vec.f16(data, block) * scale(block, s);
    }
  }
}
