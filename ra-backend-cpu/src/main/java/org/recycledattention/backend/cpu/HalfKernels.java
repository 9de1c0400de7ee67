package org.recycledattention.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorMath#scoreTiles} and {@link VectorMath#accumulateRows} over 16-bit keys and values,
 * each vector widened to f32 in registers as it is loaded. The Vector API has no f16 conversion, so
 * the other way, decoding a block into f32 scratch ({@link VectorMath#decodeF16}, which the JIT turns
 * into the hardware conversion) and running the f32 kernel on it, stores and reloads every element;
 * on a 2-core Zen 4 that round trip made the kernels 1.6-2x slower than this, with keys and values in
 * L2 (docs/performance-log.md, 2026-12-06 session 6).
 *
 * <p>The widening: bf16 is the upper half of an f32 (a shift). f16 is moved into f32 bit positions
 * (sign to bit 31, exponent and fraction to bits 13..27) and multiplied by 2<sup>112</sup>, the
 * difference of the exponent biases: exact for every finite f16, subnormals included (as an f32
 * they are subnormal, and the product is exact). Infinities and NaNs would come out finite, so
 * {@link HalfRows} uses these kernels for f16 only while its store holds none (it tracks that as
 * elements are written) and decodes otherwise. With that, every result is bit for bit the decoded
 * kernel's: the same chains of fused multiply-adds in the same order over the same f32 operands.
 */
final class HalfKernels {
  private static final VectorSpecies<Float> SPECIES = VectorMath.SPECIES;
  private static final int LANES = SPECIES.length();
  private static final VectorSpecies<Integer> INTS = VectorMath.INTS;
  private static final VectorSpecies<Short> SHORTS = VectorMath.SHORTS;
  /** 2^(127 - 15): an f16's exponent and fraction placed in an f32, times this, is its value. */
  private static final float F16_TO_F32 = 0x1p112f;
  /** Bits of a sign-extended f16 shifted left by 13 that an f32 keeps: sign, exponent and fraction. */
  private static final int F16_BITS = 0x8FFFE000;

  private HalfKernels() {}

  /** Whether the kernels exist on this machine (a float vector of at least 4 lanes). */
  static boolean available() {
    return SHORTS != null;
  }

  /** Whether {@code h}, an f16, is an infinity or a NaN (exponent all ones), which {@link #widen} does not convert. */
  static boolean nonFinite(short h) {
    return (h & 0x7C00) == 0x7C00;
  }

  /** {@link #LANES} 16-bit floats from {@code a[off ..]} as f32 lanes. */
  static FloatVector widen(short[] a, int off, boolean bf16) {
    IntVector i = (IntVector) ShortVector.fromArray(SHORTS, a, off).convertShape(VectorOperators.S2I, INTS, 0);
    if (bf16) {
      return i.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }
    return i.lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats().mul(F16_TO_F32);
  }

  /**
   * {@link VectorMath#scoreTiles} of the 16-bit key tiles {@code keys[tOff ..]}: {@code tiles} tiles
   * of {@link #LANES} keys × {@code dim}, transposed within the tile.
   */
  static void scoreTiles(short[] keys, int tOff, int tiles, int dim, float[] q, int qOff, int group, float scale, float[] s, int sOff,
      int sStride, boolean bf16) {
    int ts = LANES * dim;
    int t = 0;
    for (; t + 2 <= tiles; t += 2) {
      int k0 = tOff + t * ts;
      int o = sOff + t * LANES;
      int g = 0;
      for (; g + 2 <= group; g += 2) {
        int q0 = qOff + g * dim;
        int q1 = q0 + dim;
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        for (int x = 0; x < dim; x++) {
          FloatVector c0 = widen(keys, k0 + x * LANES, bf16);
          FloatVector c1 = widen(keys, k0 + ts + x * LANES, bf16);
          FloatVector w0 = FloatVector.broadcast(SPECIES, q[q0 + x]);
          FloatVector w1 = FloatVector.broadcast(SPECIES, q[q1 + x]);
          a0 = c0.fma(w0, a0);
          a1 = c1.fma(w0, a1);
          b0 = c0.fma(w1, b0);
          b1 = c1.fma(w1, b1);
        }
        a0.mul(scale).intoArray(s, g * sStride + o);
        a1.mul(scale).intoArray(s, g * sStride + o + LANES);
        b0.mul(scale).intoArray(s, (g + 1) * sStride + o);
        b1.mul(scale).intoArray(s, (g + 1) * sStride + o + LANES);
      }
      for (; g < group; g++) {
        int q0 = qOff + g * dim;
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0;
        for (int x = 0; x < dim; x++) {
          FloatVector w0 = FloatVector.broadcast(SPECIES, q[q0 + x]);
          a0 = widen(keys, k0 + x * LANES, bf16).fma(w0, a0);
          a1 = widen(keys, k0 + ts + x * LANES, bf16).fma(w0, a1);
        }
        a0.mul(scale).intoArray(s, g * sStride + o);
        a1.mul(scale).intoArray(s, g * sStride + o + LANES);
      }
    }
    for (; t < tiles; t++) {
      int k0 = tOff + t * ts;
      for (int g = 0; g < group; g++) {
        int q0 = qOff + g * dim;
        FloatVector a0 = FloatVector.zero(SPECIES);
        for (int x = 0; x < dim; x++) {
          a0 = widen(keys, k0 + x * LANES, bf16).fma(FloatVector.broadcast(SPECIES, q[q0 + x]), a0);
        }
        a0.mul(scale).intoArray(s, g * sStride + sOff + t * LANES);
      }
    }
  }

  /** Whether {@link #accumulateRows} takes rows of {@code dim} elements: whole vectors only. */
  static boolean accumulates(int dim) {
    return available() && dim % LANES == 0;
  }

  /**
   * {@link VectorMath#accumulateRows} of the 16-bit value rows {@code v[vOff + r · dim ..]}, {@code
   * dim} a multiple of {@link #LANES} ({@link #accumulates}).
   */
  static void accumulateRows(short[] v, int vOff, int count, int dim, float[] w, int wOff, int wStride, int group, float[] out, int outOff,
      boolean bf16) {
    int g = 0;
    for (; g + 2 <= group; g += 2) {
      int o0 = outOff + g * dim;
      int o1 = o0 + dim;
      int w0 = g * wStride + wOff;
      int w1 = w0 + wStride;
      int c = 0;
      for (; c + 4 * LANES <= dim; c += 4 * LANES) {
        FloatVector a0 = FloatVector.fromArray(SPECIES, out, o0 + c);
        FloatVector a1 = FloatVector.fromArray(SPECIES, out, o0 + c + LANES);
        FloatVector a2 = FloatVector.fromArray(SPECIES, out, o0 + c + 2 * LANES);
        FloatVector a3 = FloatVector.fromArray(SPECIES, out, o0 + c + 3 * LANES);
        FloatVector b0 = FloatVector.fromArray(SPECIES, out, o1 + c);
        FloatVector b1 = FloatVector.fromArray(SPECIES, out, o1 + c + LANES);
        FloatVector b2 = FloatVector.fromArray(SPECIES, out, o1 + c + 2 * LANES);
        FloatVector b3 = FloatVector.fromArray(SPECIES, out, o1 + c + 3 * LANES);
        for (int r = 0; r < count; r++) {
          int row = vOff + r * dim + c;
          FloatVector v0 = widen(v, row, bf16);
          FloatVector v1 = widen(v, row + LANES, bf16);
          FloatVector v2 = widen(v, row + 2 * LANES, bf16);
          FloatVector v3 = widen(v, row + 3 * LANES, bf16);
          FloatVector wa = FloatVector.broadcast(SPECIES, w[w0 + r]);
          FloatVector wb = FloatVector.broadcast(SPECIES, w[w1 + r]);
          a0 = v0.fma(wa, a0);
          a1 = v1.fma(wa, a1);
          a2 = v2.fma(wa, a2);
          a3 = v3.fma(wa, a3);
          b0 = v0.fma(wb, b0);
          b1 = v1.fma(wb, b1);
          b2 = v2.fma(wb, b2);
          b3 = v3.fma(wb, b3);
        }
        a0.intoArray(out, o0 + c);
        a1.intoArray(out, o0 + c + LANES);
        a2.intoArray(out, o0 + c + 2 * LANES);
        a3.intoArray(out, o0 + c + 3 * LANES);
        b0.intoArray(out, o1 + c);
        b1.intoArray(out, o1 + c + LANES);
        b2.intoArray(out, o1 + c + 2 * LANES);
        b3.intoArray(out, o1 + c + 3 * LANES);
      }
      for (; c < dim; c += LANES) {
        accumulateColumn(v, vOff, count, dim, w, w0, out, o0 + c, c, bf16);
        accumulateColumn(v, vOff, count, dim, w, w1, out, o1 + c, c, bf16);
      }
    }
    for (; g < group; g++) {
      for (int c = 0; c < dim; c += LANES) {
        accumulateColumn(v, vOff, count, dim, w, g * wStride + wOff, out, outOff + g * dim + c, c, bf16);
      }
    }
  }

  /** One head's {@link #LANES} output columns from column {@code c}. */
  private static void accumulateColumn(short[] v, int vOff, int count, int dim, float[] w, int wg, float[] out, int o, int c, boolean bf16) {
    FloatVector a = FloatVector.fromArray(SPECIES, out, o);
    for (int r = 0; r < count; r++) {
      a = widen(v, vOff + r * dim + c, bf16).fma(FloatVector.broadcast(SPECIES, w[wg + r]), a);
    }
    a.intoArray(out, o);
  }
}
