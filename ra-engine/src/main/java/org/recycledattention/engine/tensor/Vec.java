package org.recycledattention.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Shared Vector API species and conversions of the tensor kernels. */
final class Vec {
  private Vec() {}

  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  static final int FL = F.length();
  static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
  /** Shorts with as many lanes as {@link #F}. */
  static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
  static final boolean WIDE = F.vectorBitSize() >= 256;
  static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
  static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

  static float f16(MemorySegment s, long offset) {
    return Float.float16ToFloat(s.get(SHORT, offset));
  }

  /**
   * {@link #FL} IEEE half floats at {@code offset} as floats, exactly (subnormals, infinities and
   * NaN included), as {@code Float.float16ToFloat} would give them lane by lane.
   */
  static FloatVector halfToFloat(MemorySegment s, long offset) {
    IntVector h = ShortVector.fromMemorySegment(S, s, offset, LE).castShape(I, 0).reinterpretAsInts().and(0xFFFF);
    IntVector exp = h.and(0x7C00);
    IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
    IntVector magnitude = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
    // normal numbers: rebias the exponent from 15 to 127
    IntVector bits = magnitude.add(112 << 23);
    VectorMask<Integer> special = exp.eq(0x7C00);
    if (special.anyTrue()) {
      bits = bits.blend(magnitude.or(0x7F800000), special);
    }
    VectorMask<Integer> small = exp.eq(0);
    if (small.anyTrue()) {
      // zero and subnormals: mantissa × 2^-24, exact in f32
      IntVector sub = h.and(0x3FF).convert(VectorOperators.I2F, 0).reinterpretAsFloats()
          .mul(0x1p-24f).reinterpretAsInts();
      bits = bits.blend(sub, small);
    }
    return bits.or(sign).reinterpretAsFloats();
  }

  /** {@link #FL} bfloat16 values at {@code offset} as floats (exact: the upper half of an f32). */
  static FloatVector bf16ToFloat(MemorySegment s, long offset) {
    return ShortVector.fromMemorySegment(S, s, offset, LE).castShape(I, 0).reinterpretAsInts()
        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
  }

  static float bf16(MemorySegment s, long offset) {
    return Float.intBitsToFloat((s.get(SHORT, offset) & 0xFFFF) << 16);
  }
}
