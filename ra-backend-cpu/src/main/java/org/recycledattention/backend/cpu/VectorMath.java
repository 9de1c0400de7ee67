package org.recycledattention.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two inner loops of attention, vectorised with the preferred float species: a dot product and
 * a fused {@code out += w · v}.
 *
 * <p><b>NOTE:</b> every result depends only on the operands, never on where they are stored or on
 * the thread that computes them: lanes are summed in a fixed scalar order (not {@code
 * reduceLanes}, whose order the Vector API leaves open), and every lane-wise operation is a
 * correctly rounded IEEE operation. This is what makes a partial-cache step bit-identical to a
 * full step over the same entries.
 */
final class VectorMath {
  static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();

  private VectorMath() {}

  /**
   * {@code Σ a[aOff + i] · b[bOff + i]} for {@code i < n}, four independent accumulators so that
   * the fused multiply-adds of one row overlap.
   *
   * @param lanes scratch of at least {@link #lanes()} floats
   */
  static float dot(float[] a, int aOff, float[] b, int bOff, int n, float[] lanes) {
    int i = 0;
    float sum;
    if (n >= LANES) {
      FloatVector acc0 = FloatVector.zero(SPECIES);
      FloatVector acc1 = FloatVector.zero(SPECIES);
      FloatVector acc2 = FloatVector.zero(SPECIES);
      FloatVector acc3 = FloatVector.zero(SPECIES);
      for (; i + 4 * LANES <= n; i += 4 * LANES) {
        acc0 = FloatVector.fromArray(SPECIES, a, aOff + i).fma(FloatVector.fromArray(SPECIES, b, bOff + i), acc0);
        acc1 = FloatVector.fromArray(SPECIES, a, aOff + i + LANES).fma(FloatVector.fromArray(SPECIES, b, bOff + i + LANES), acc1);
        acc2 = FloatVector.fromArray(SPECIES, a, aOff + i + 2 * LANES).fma(FloatVector.fromArray(SPECIES, b, bOff + i + 2 * LANES), acc2);
        acc3 = FloatVector.fromArray(SPECIES, a, aOff + i + 3 * LANES).fma(FloatVector.fromArray(SPECIES, b, bOff + i + 3 * LANES), acc3);
      }
      for (; i + LANES <= n; i += LANES) {
        acc0 = FloatVector.fromArray(SPECIES, a, aOff + i).fma(FloatVector.fromArray(SPECIES, b, bOff + i), acc0);
      }
      acc0.add(acc1).add(acc2.add(acc3)).intoArray(lanes, 0);
      sum = 0f;
      for (int l = 0; l < LANES; l++) {
        sum += lanes[l];
      }
    } else {
      sum = 0f;
    }
    for (; i < n; i++) {
      sum = Math.fma(a[aOff + i], b[bOff + i], sum);
    }
    return sum;
  }

  /** {@code out[outOff + i] += w · v[vOff + i]} for {@code i < n} (fused multiply-add). */
  static void axpy(float w, float[] v, int vOff, float[] out, int outOff, int n) {
    int i = 0;
    if (n >= LANES) {
      FloatVector wv = FloatVector.broadcast(SPECIES, w);
      for (; i + LANES <= n; i += LANES) {
        FloatVector.fromArray(SPECIES, v, vOff + i).fma(wv, FloatVector.fromArray(SPECIES, out, outOff + i)).intoArray(out, outOff + i);
      }
    }
    for (; i < n; i++) {
      out[outOff + i] = Math.fma(v[vOff + i], w, out[outOff + i]);
    }
  }

  /** Floats of scratch {@link #dot} needs. */
  static int lanes() {
    return LANES;
  }

  /** A description of the species, for availability messages: {@code "Float512Vector (16 lanes)"}. */
  static String describe() {
    return SPECIES.vectorBitSize() + "-bit float vectors (" + LANES + " lanes)";
  }
}
