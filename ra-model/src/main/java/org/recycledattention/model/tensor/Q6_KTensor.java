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
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML {@code Q6_K}: super-blocks of 256 elements in 16 sub-blocks of 16: 128 bytes of low nibbles
 * ({@code ql}), 64 bytes of high 2-bit pairs ({@code qh}), 16 signed 8-bit scales, f16 {@code d}.
 * Each half (128 elements) takes 64 bytes of {@code ql} and 32 of {@code qh}: element {@code 32c +
 * l} ({@code c < 4, l < 32}) is the low ({@code c < 2}) or high nibble of {@code ql[l + 32·(c %
 * 2)]} with bits {@code 2c, 2c+1} of {@code qh[l]} above it, minus 32, times {@code d · scale}
 * (sub-block {@code g} has scale {@code g}). 210 bytes per block; activations {@link
 * InputFormat#Q8_K}.
 *
 * <p>The kernel ({@code lanes}, with 512-bit vectors) makes the 16 int lanes the block's 16
 * groups, so that each group's scale is applied once per block as one vector instead of a scalar
 * broadcast per group, and multiplies in 16-bit integers, as ggml does: in 4 steps {@code m}, lane
 * {@code g} gathers the 4 bytes of {@code ql} and of {@code qh} that hold elements {@code 4m .. 4m +
 * 3} of group {@code g} (two int permutes: a group's 16 values are 4 ints of 16-byte-strided data),
 * shifts its nibble and high bits into place (per-lane shift counts), and multiplies the unsigned
 * 6-bit values with the activations' Q8_K values prepared in the same order ({@link
 * Input#laneOrder}), the even and odd bytes separately in 16-bit lanes (at most 4 · 63 · 127 per
 * lane: no overflow). Per block the lanes' pairs become int group sums, {@code 32 · bsums} takes the
 * offset of 32 out, and the scales, {@code d} and the activations' {@code d} apply once: the group
 * sums are exact integers, as ggml's. Without 512-bit vectors, and for the unquantized reference
 * {@link #dot}, the kernel is {@code floats}: 16 values at a time in f32 lanes, times a broadcast
 * scale (about 2.5 times slower). The other K-quants' kernels follow this one. Each is written out
 * in one method: with the step and the group sums in helper methods C2 inlined none of them (node
 * budget) and the kernel took 53 ns per block instead of 16.
 */
public final class Q6_KTensor extends BlockTensor {
  Q6_KTensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q6_K, InputFormat.Q8_K, 16, false, name, data, rows, cols);
  }

  /** Per lane (group) {@code g = 8h + 2c + s}: the int of ql holding unit 0 of the group. */
  private static final IntVector QL_INDEX = Vec.groupLanes(g -> 16 * (g / 8) + 8 * (g % 8 / 2 % 2) + 4 * (g % 2));
  private static final IntVector QH_INDEX = Vec.groupLanes(g -> 8 * (g / 8) + 4 * (g % 2));
  private static final IntVector NIBBLE_SHIFT = Vec.groupLanes(g -> 4 * (g % 8 / 4));
  private static final IntVector HIGH_ROTATE = Vec.groupLanes(g -> (36 - 2 * (g % 8 / 2)) % 32);

  @Override
  float kernel(long rowOffset, Input x, int xOffset) {
    return Vec.GROUP_LANES && x.format() == InputFormat.Q8_K ? lanes(rowOffset, x, xOffset)
        : floats(rowOffset, x, xOffset);
  }

  private float lanes(long rowOffset, Input x, int xOffset) {
    Vec.touch(data, rowOffset);
    short[] q8 = x.q8;
    FloatVector acc = FloatVector.zero(Vec.F);
    for (int b = 0; b < blocks(); b++) {
      long block = rowOffset + 210L * b;
      int xb = xOffset + 256 * b;
      IntVector ql0 = IntVector.fromMemorySegment(Vec.I16, data, block, Vec.LE);
      IntVector ql1 = IntVector.fromMemorySegment(Vec.I16, data, block + 64, Vec.LE);
      IntVector qh = IntVector.fromMemorySegment(Vec.I16, data, block + 128, Vec.LE);
      ShortVector even = ShortVector.zero(Vec.S32);
      ShortVector odd = ShortVector.zero(Vec.S32);
      for (int m = 0; m < 4; m++) {
        IntVector low = QL_INDEX.add(m).selectFrom(ql0, ql1).lanewise(LSHR, NIBBLE_SHIFT).and(0x0F0F0F0F);
        IntVector high = QH_INDEX.add(m).selectFrom(qh).lanewise(ROL, HIGH_ROTATE).and(0x30303030);
        ShortVector w = low.or(high).reinterpretAsShorts();
        even = even.add(w.and((short) 0xFF).mul(ShortVector.fromArray(Vec.S32, q8, xb + 64 * m)));
        odd = odd.add(w.lanewise(LSHR, 8).mul(ShortVector.fromArray(Vec.S32, q8, xb + 64 * m + 32)));
      }
      IntVector e = even.reinterpretAsInts();
      IntVector o = odd.reinterpretAsInts();
      IntVector dot = e.lanewise(LSHL, 16).lanewise(ASHR, 16).add(e.lanewise(ASHR, 16))
          .add(o.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(o.lanewise(ASHR, 16))
          .sub(IntVector.fromArray(Vec.I16, x.q8Sums, xb / 16).lanewise(LSHL, 5));
      ByteVector scaleBytes = ByteVector.fromMemorySegment(Vec.B16, data, block + 192, Vec.LE);
      IntVector scale = (IntVector) scaleBytes.castShape(Vec.I16, 0);
      FloatVector f = (FloatVector) dot.mul(scale).castShape(Vec.F, 0);
      acc = f.fma(FloatVector.broadcast(Vec.F, Vec.f16(data, block + 208) * x.q8Scale[xb / 256]), acc);
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  private float floats(long rowOffset, Input x, int xOffset) {
    Vec.touch(data, rowOffset);
    float[] v = x.values;
    FloatVector acc = FloatVector.zero(Vec.F);
    for (int b = 0; b < blocks(); b++) {
      long block = rowOffset + 210L * b;
      float d = Vec.f16(data, block + 208);
      // 8 steps of 16 columns l of one half: each reads ql[l], ql[l + 32] and qh[l] once for the 4 values they hold
      for (int step = 0; step < 8; step++) {
        int half = step / 4;
        int l = 16 * (step % 4);
        long ql = block + 64 * half + (l % 32) + (l / 32) * 32;
        ByteVector h = Vec.bytes16(data, block + 128 + 32 * half + l % 32);
        ByteVector q = Vec.bytes16(data, ql);
        int xo = xOffset + 256 * b + 128 * half + l;
        int g = 8 * half + l / 16;
        acc = Vec.addScaled(acc, Vec.fma16(value(q, h, l / 32 * 2), v, xo, FloatVector.zero(Vec.F)), d * data.get(ValueLayout.JAVA_BYTE, block + 192 + g));
        acc = Vec.addScaled(acc, Vec.fma16(value(Vec.shiftRight(q, 4), h, l / 32 * 2 + 4), v, xo + 64, FloatVector.zero(Vec.F)),
            d * data.get(ValueLayout.JAVA_BYTE, block + 196 + g));
      }
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  /** The 6-bit values (minus 32) of the low nibbles of {@code q} with bits {@code bit, bit + 1} of {@code h} above them. */
  private static ByteVector value(ByteVector q, ByteVector h, int bit) {
    return q.and((byte) 0x0F).or(Vec.field(h, bit, 4, 0x30)).sub((byte) 32);
  }

  @Override
  ByteVector group(long block, int g) {
    Vec.touch(data, block);
    int half = g / 8;
    int c = g % 8 / 2;
    int l = 16 * (g % 2);
    ByteVector low = Vec.nibbles(Vec.bytes16(data, block + 64 * half + 32 * (c % 2) + l), c / 2);
    ByteVector high = Vec.field(Vec.bytes16(data, block + 128 + 32 * half + l), 2 * c, 4, 0x30);
    return low.or(high).sub((byte) 32);
  }

  @Override
  void scales(long block, float[] scale, float[] min) {
    float d = Vec.f16(data, block + 208);
    for (int s = 0; s < 16; s++) {
      scale[s] = d * data.get(ValueLayout.JAVA_BYTE, block + 192 + s);
    }
  }
}
