package org.recycledattention.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The inner loops of attention, vectorised with the preferred float species: a dot product, a fused
 * {@code out += w · v}, and an in-place softmax.
 *
 * <p><b>NOTE:</b> every result depends only on the operands, never on where they are stored or on
 * the thread that computes them: lanes are summed in a fixed scalar order (not {@code
 * reduceLanes}, whose order the Vector API leaves open), and every lane-wise operation is a
 * correctly rounded IEEE operation. This is what makes a partial-cache step bit-identical to a
 * full step over the same entries. For the same reason the softmax uses its own exponential (below)
 * built from such operations only: the Vector API's {@code EXP} may give different bits before and
 * after the JIT compiles it.
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

  // exp(x) = 2^n · e^r, n = round(x · log2(e)), r = x - n · ln2 (ln2 split in two for exactness),
  // e^r by Cephes' expf polynomial on [-ln2/2, ln2/2]; about 1 ulp.
  private static final float LOG2E = 1.44269504088896341f;
  private static final float LN2_HI = 0.693359375f;
  private static final float LN2_LO = -2.12194440e-4f;
  private static final float ROUND = 12582912f; // 1.5 · 2^23: adding and subtracting it rounds to an integer
  private static final float EXP_MIN = -87f; // exp below it is < 1.7e-38 and is flushed to 0
  private static final float P0 = 1.9875691500e-4f;
  private static final float P1 = 1.3981999507e-3f;
  private static final float P2 = 8.3334519073e-3f;
  private static final float P3 = 4.1665795894e-2f;
  private static final float P4 = 1.6666665459e-1f;
  private static final float P5 = 5.0000001201e-1f;

  /** {@code e^x} for {@code x <= 0} lane-wise; NaN stays NaN. */
  static FloatVector exp(FloatVector x) {
    VectorMask<Float> underflow = x.compare(VectorOperators.LT, EXP_MIN);
    FloatVector xc = x.max(EXP_MIN);
    FloatVector n = xc.mul(LOG2E).add(ROUND).sub(ROUND);
    FloatVector r = n.fma(FloatVector.broadcast(SPECIES, -LN2_HI), xc);
    r = n.fma(FloatVector.broadcast(SPECIES, -LN2_LO), r);
    FloatVector p = r.fma(FloatVector.broadcast(SPECIES, P0), FloatVector.broadcast(SPECIES, P1));
    p = p.fma(r, FloatVector.broadcast(SPECIES, P2));
    p = p.fma(r, FloatVector.broadcast(SPECIES, P3));
    p = p.fma(r, FloatVector.broadcast(SPECIES, P4));
    p = p.fma(r, FloatVector.broadcast(SPECIES, P5));
    p = p.fma(r.mul(r), r).add(1f);
    IntVector bits = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
    FloatVector y = p.mul(bits.reinterpretAsFloats());
    return y.blend(0f, underflow);
  }

  /**
   * Replaces {@code p[off .. off + n)} by its softmax: {@code e^(p_j - max) / Σ e^(p_i - max)}, in
   * f32. Entries are processed in index order in vector-sized blocks, so the result depends only
   * on the values and their order.
   *
   * @param lanes scratch of at least {@link #lanes()} floats
   */
  static void softmax(float[] p, int off, int n, float[] lanes) {
    FloatVector maxv = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
    int bound = SPECIES.loopBound(n);
    int i = 0;
    for (; i < bound; i += LANES) {
      maxv = maxv.max(FloatVector.fromArray(SPECIES, p, off + i));
    }
    if (i < n) {
      VectorMask<Float> m = SPECIES.indexInRange(i, n);
      maxv = maxv.max(FloatVector.fromArray(SPECIES, p, off + i, m).blend(Float.NEGATIVE_INFINITY, m.not()));
    }
    maxv.intoArray(lanes, 0);
    float max = lanes[0];
    for (int l = 1; l < LANES; l++) {
      max = Math.max(max, lanes[l]);
    }
    FloatVector sumv = FloatVector.zero(SPECIES);
    for (i = 0; i < bound; i += LANES) {
      FloatVector e = exp(FloatVector.fromArray(SPECIES, p, off + i).sub(max));
      e.intoArray(p, off + i);
      sumv = sumv.add(e);
    }
    if (i < n) {
      VectorMask<Float> m = SPECIES.indexInRange(i, n);
      FloatVector e = exp(FloatVector.fromArray(SPECIES, p, off + i, m).sub(max));
      e.intoArray(p, off + i, m);
      sumv = sumv.add(e, m);
    }
    sumv.intoArray(lanes, 0);
    float sum = 0f;
    for (int l = 0; l < LANES; l++) {
      sum += lanes[l];
    }
    FloatVector inv = FloatVector.broadcast(SPECIES, 1f / sum);
    for (i = 0; i < bound; i += LANES) {
      FloatVector.fromArray(SPECIES, p, off + i).mul(inv).intoArray(p, off + i);
    }
    if (i < n) {
      VectorMask<Float> m = SPECIES.indexInRange(i, n);
      FloatVector.fromArray(SPECIES, p, off + i, m).mul(inv).intoArray(p, off + i, m);
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
