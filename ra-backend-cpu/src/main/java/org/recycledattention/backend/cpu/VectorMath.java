package org.recycledattention.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.recycledattention.api.plan.GroupReduction;

/**
 * The inner loops of attention, vectorised with the preferred float species: scores of a key tile,
 * the weighted sum of value rows, an in-place softmax, the reduction of scores over a query group,
 * and 16-bit float decoding.
 *
 * <p><b>NOTE:</b> every result depends only on the operands, never on where they are stored or on
 * the thread that computes them: lanes are combined in a fixed scalar order (never {@code
 * reduceLanes}, whose order the Vector API leaves open), each key's dot product and each output
 * element's weighted sum is one chain of fused multiply-adds in a fixed order, and every lane-wise
 * operation is a correctly rounded IEEE operation. This is what makes a partial-cache step bit-identical to a
 * full step over the same entries. For the same reason the softmax uses its own exponential (below)
 * built from such operations only: the Vector API's {@code EXP} may give different bits before and
 * after the JIT compiles it.
 */
final class VectorMath {
  static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();
  static final VectorSpecies<Integer> INTS = SPECIES.withLanes(int.class);
  /** Shorts of one float vector's lane count; {@code null} where no such shape exists (fewer than 4 lanes). */
  static final VectorSpecies<Short> SHORTS = LANES >= 4 ? VectorSpecies.of(short.class, VectorShape.forBitSize(LANES * Short.SIZE)) : null;

  private VectorMath() {}

  /**
   * Scores of one key tile against {@code group} query heads. A tile holds {@link #lanes()} keys
   * transposed ({@code tile[tOff + x · lanes + l]} is element {@code x} of the tile's key {@code
   * l}), so one vector lane per key accumulates its dot product with no horizontal sum: {@code
   * s[g · sStride + sOff + l] = scale · Σ_x q[qOff + g · dim + x] · key_l[x]}, each a chain of fused
   * multiply-adds in {@code x} order, from zero, then one multiplication by {@code scale}.
   */
  static void scoreTile(float[] tile, int tOff, int dim, float[] q, int qOff, int group, float scale, float[] s, int sOff, int sStride) {
    scoreTiles(tile, tOff, 1, dim, q, qOff, group, scale, s, sOff, sStride);
  }

  /** Tiles {@link #scoreTiles} scores together: enough independent chains to keep the FMA units busy. */
  static final int TILES_PER_PASS = 4;

  /**
   * {@link #scoreTile} of {@code tiles} consecutive tiles (tile {@code t} at {@code tOff + t · lanes ·
   * dim}, its scores at {@code s[g · sStride + sOff + t · lanes + l]}). Each score is computed exactly
   * as {@link #scoreTile} computes it; what changes is the schedule: {@value #TILES_PER_PASS} tiles
   * times two query heads advance together, eight independent chains of fused multiply-adds, so
   * the latency of one chain no longer bounds the throughput (one tile and one head left a
   * single chain, four cycles per multiply-add).
   */
  static void scoreTiles(float[] keys, int tOff, int tiles, int dim, float[] q, int qOff, int group, float scale, float[] s, int sOff,
      int sStride) {
    int t = 0;
    for (; t + TILES_PER_PASS <= tiles; t += TILES_PER_PASS) {
      scoreFourTiles(keys, tOff + t * LANES * dim, dim, q, qOff, group, scale, s, sOff + t * LANES, sStride);
    }
    for (; t < tiles; t++) {
      scoreOneTile(keys, tOff + t * LANES * dim, dim, q, qOff, group, scale, s, sOff + t * LANES, sStride);
    }
  }

  private static void scoreFourTiles(float[] tiles, int tOff, int dim, float[] q, int qOff, int group, float scale, float[] s, int sOff,
      int sStride) {
    int ts = LANES * dim;
    int g = 0;
    for (; g + 2 <= group; g += 2) {
      int q0 = qOff + g * dim;
      int q1 = q0 + dim;
      FloatVector a0 = FloatVector.zero(SPECIES);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      FloatVector b0 = a0;
      FloatVector b1 = a0;
      FloatVector b2 = a0;
      FloatVector b3 = a0;
      for (int x = 0; x < dim; x++) {
        int o = tOff + x * LANES;
        FloatVector k0 = FloatVector.fromArray(SPECIES, tiles, o);
        FloatVector k1 = FloatVector.fromArray(SPECIES, tiles, o + ts);
        FloatVector k2 = FloatVector.fromArray(SPECIES, tiles, o + 2 * ts);
        FloatVector k3 = FloatVector.fromArray(SPECIES, tiles, o + 3 * ts);
        FloatVector w0 = FloatVector.broadcast(SPECIES, q[q0 + x]);
        FloatVector w1 = FloatVector.broadcast(SPECIES, q[q1 + x]);
        a0 = k0.fma(w0, a0);
        a1 = k1.fma(w0, a1);
        a2 = k2.fma(w0, a2);
        a3 = k3.fma(w0, a3);
        b0 = k0.fma(w1, b0);
        b1 = k1.fma(w1, b1);
        b2 = k2.fma(w1, b2);
        b3 = k3.fma(w1, b3);
      }
      int r0 = g * sStride + sOff;
      int r1 = r0 + sStride;
      a0.mul(scale).intoArray(s, r0);
      a1.mul(scale).intoArray(s, r0 + LANES);
      a2.mul(scale).intoArray(s, r0 + 2 * LANES);
      a3.mul(scale).intoArray(s, r0 + 3 * LANES);
      b0.mul(scale).intoArray(s, r1);
      b1.mul(scale).intoArray(s, r1 + LANES);
      b2.mul(scale).intoArray(s, r1 + 2 * LANES);
      b3.mul(scale).intoArray(s, r1 + 3 * LANES);
    }
    if (g < group) {
      int q0 = qOff + g * dim;
      FloatVector a0 = FloatVector.zero(SPECIES);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      for (int x = 0; x < dim; x++) {
        int o = tOff + x * LANES;
        FloatVector w0 = FloatVector.broadcast(SPECIES, q[q0 + x]);
        a0 = FloatVector.fromArray(SPECIES, tiles, o).fma(w0, a0);
        a1 = FloatVector.fromArray(SPECIES, tiles, o + ts).fma(w0, a1);
        a2 = FloatVector.fromArray(SPECIES, tiles, o + 2 * ts).fma(w0, a2);
        a3 = FloatVector.fromArray(SPECIES, tiles, o + 3 * ts).fma(w0, a3);
      }
      int r0 = g * sStride + sOff;
      a0.mul(scale).intoArray(s, r0);
      a1.mul(scale).intoArray(s, r0 + LANES);
      a2.mul(scale).intoArray(s, r0 + 2 * LANES);
      a3.mul(scale).intoArray(s, r0 + 3 * LANES);
    }
  }

  private static void scoreOneTile(float[] tile, int tOff, int dim, float[] q, int qOff, int group, float scale, float[] s, int sOff,
      int sStride) {
    int g = 0;
    for (; g + 4 <= group; g += 4) {
      int q0 = qOff + g * dim;
      int q1 = q0 + dim;
      int q2 = q1 + dim;
      int q3 = q2 + dim;
      FloatVector a0 = FloatVector.zero(SPECIES);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      for (int x = 0; x < dim; x++) {
        FloatVector k = FloatVector.fromArray(SPECIES, tile, tOff + x * LANES);
        a0 = k.fma(FloatVector.broadcast(SPECIES, q[q0 + x]), a0);
        a1 = k.fma(FloatVector.broadcast(SPECIES, q[q1 + x]), a1);
        a2 = k.fma(FloatVector.broadcast(SPECIES, q[q2 + x]), a2);
        a3 = k.fma(FloatVector.broadcast(SPECIES, q[q3 + x]), a3);
      }
      a0.mul(scale).intoArray(s, g * sStride + sOff);
      a1.mul(scale).intoArray(s, (g + 1) * sStride + sOff);
      a2.mul(scale).intoArray(s, (g + 2) * sStride + sOff);
      a3.mul(scale).intoArray(s, (g + 3) * sStride + sOff);
    }
    for (; g < group; g++) {
      int q0 = qOff + g * dim;
      FloatVector a0 = FloatVector.zero(SPECIES);
      for (int x = 0; x < dim; x++) {
        a0 = FloatVector.fromArray(SPECIES, tile, tOff + x * LANES).fma(FloatVector.broadcast(SPECIES, q[q0 + x]), a0);
      }
      a0.mul(scale).intoArray(s, g * sStride + sOff);
    }
  }

  /**
   * The weighted sum of {@code count} row-major value rows {@code v[vOff + r · dim ..]}, for
   * {@code group} query heads: {@code out[outOff + g · dim + x] += w[g · wStride + wOff + r] · v_r[x]},
   * one fused multiply-add per row in row order for every element. Two query heads times four
   * output vectors (eight independent chains) stay in registers across the rows (the caller passes a
   * block that fits in L1), so {@code out} is read and written once per block rather than once per
   * row, and each value vector loaded serves both heads.
   */
  static void accumulateRows(float[] v, int vOff, int count, int dim, float[] w, int wOff, int wStride, int group,
      float[] out, int outOff) {
    int bound = SPECIES.loopBound(dim);
    int g = 0;
    for (; g + 2 <= group; g += 2) {
      int o0 = outOff + g * dim;
      int o1 = o0 + dim;
      int w0 = g * wStride + wOff;
      int w1 = w0 + wStride;
      int c = 0;
      for (; c + 4 * LANES <= bound; c += 4 * LANES) {
        FloatVector a0 = FloatVector.fromArray(SPECIES, out, o0 + c);
        FloatVector a1 = FloatVector.fromArray(SPECIES, out, o0 + c + LANES);
        FloatVector a2 = FloatVector.fromArray(SPECIES, out, o0 + c + 2 * LANES);
        FloatVector a3 = FloatVector.fromArray(SPECIES, out, o0 + c + 3 * LANES);
        FloatVector b0 = FloatVector.fromArray(SPECIES, out, o1 + c);
        FloatVector b1 = FloatVector.fromArray(SPECIES, out, o1 + c + LANES);
        FloatVector b2 = FloatVector.fromArray(SPECIES, out, o1 + c + 2 * LANES);
        FloatVector b3 = FloatVector.fromArray(SPECIES, out, o1 + c + 3 * LANES);
        for (int r = 0; r < count; r++) {
          FloatVector wa = FloatVector.broadcast(SPECIES, w[w0 + r]);
          FloatVector wb = FloatVector.broadcast(SPECIES, w[w1 + r]);
          int row = vOff + r * dim + c;
          FloatVector v0 = FloatVector.fromArray(SPECIES, v, row);
          FloatVector v1 = FloatVector.fromArray(SPECIES, v, row + LANES);
          FloatVector v2 = FloatVector.fromArray(SPECIES, v, row + 2 * LANES);
          FloatVector v3 = FloatVector.fromArray(SPECIES, v, row + 3 * LANES);
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
      accumulateColumns(v, vOff, count, dim, w, w0, out, o0, c, bound);
      accumulateColumns(v, vOff, count, dim, w, w1, out, o1, c, bound);
    }
    for (; g < group; g++) {
      int o = outOff + g * dim;
      int wg = g * wStride + wOff;
      int c = 0;
      for (; c + 4 * LANES <= bound; c += 4 * LANES) {
        FloatVector a0 = FloatVector.fromArray(SPECIES, out, o + c);
        FloatVector a1 = FloatVector.fromArray(SPECIES, out, o + c + LANES);
        FloatVector a2 = FloatVector.fromArray(SPECIES, out, o + c + 2 * LANES);
        FloatVector a3 = FloatVector.fromArray(SPECIES, out, o + c + 3 * LANES);
        for (int r = 0; r < count; r++) {
          FloatVector wr = FloatVector.broadcast(SPECIES, w[wg + r]);
          int row = vOff + r * dim + c;
          a0 = FloatVector.fromArray(SPECIES, v, row).fma(wr, a0);
          a1 = FloatVector.fromArray(SPECIES, v, row + LANES).fma(wr, a1);
          a2 = FloatVector.fromArray(SPECIES, v, row + 2 * LANES).fma(wr, a2);
          a3 = FloatVector.fromArray(SPECIES, v, row + 3 * LANES).fma(wr, a3);
        }
        a0.intoArray(out, o + c);
        a1.intoArray(out, o + c + LANES);
        a2.intoArray(out, o + c + 2 * LANES);
        a3.intoArray(out, o + c + 3 * LANES);
      }
      accumulateColumns(v, vOff, count, dim, w, wg, out, o, c, bound);
    }
  }

  /** {@link #accumulateRows} of one head for the columns from {@code c}: one vector at a time, then scalars. */
  private static void accumulateColumns(float[] v, int vOff, int count, int dim, float[] w, int wg, float[] out, int o, int c, int bound) {
    for (; c < bound; c += LANES) {
      FloatVector a0 = FloatVector.fromArray(SPECIES, out, o + c);
      for (int r = 0; r < count; r++) {
        a0 = FloatVector.fromArray(SPECIES, v, vOff + r * dim + c).fma(FloatVector.broadcast(SPECIES, w[wg + r]), a0);
      }
      a0.intoArray(out, o + c);
    }
    for (; c < dim; c++) {
      float a = out[o + c];
      for (int r = 0; r < count; r++) {
        a = Math.fma(v[vOff + r * dim + c], w[wg + r], a);
      }
      out[o + c] = a;
    }
  }

  /**
   * One score per entry from the probabilities {@code p[g · n + j]} of a group's query heads:
   * their maximum, their mean (summed in head order, then divided) or the first head's; stored
   * into {@code row[j]}, or added to it when {@code add}.
   */
  static void reduceGroup(float[] p, int n, int group, GroupReduction reduction, float[] row, boolean add) {
    int bound = SPECIES.loopBound(n);
    for (int j = 0; j < bound; j += CHUNK) {
      reduceGroupVectors(p, n, j, Math.min(bound, j + CHUNK), group, reduction, row, add);
    }
    for (int j = bound; j < n; j++) {
      float r = p[j];
      if (reduction == GroupReduction.MAX) {
        for (int g = 1; g < group; g++) {
          r = Math.max(r, p[g * n + j]);
        }
      } else if (reduction == GroupReduction.MEAN) {
        for (int g = 1; g < group; g++) {
          r += p[g * n + j];
        }
        r /= group;
      }
      row[j] = add ? row[j] + r : r;
    }
  }

  /**
   * Entries a chunked vector loop covers per call. Loops that run only at full steps (a few calls
   * per step) are cut into calls of this many entries: the JIT compiles a method with C2, which
   * alone turns Vector API calls into vector instructions, after some hundreds of calls, and until
   * then the calls run in C1's code, which is slower by an order of magnitude. One long loop per head
   * would stay there for dozens of full steps.
   */
  static final int CHUNK = 256;

  private static void reduceGroupVectors(float[] p, int n, int from, int to, int group, GroupReduction reduction, float[] row, boolean add) {
    for (int j = from; j < to; j += LANES) {
      FloatVector r = FloatVector.fromArray(SPECIES, p, j);
      if (reduction == GroupReduction.MAX) {
        for (int g = 1; g < group; g++) {
          r = r.max(FloatVector.fromArray(SPECIES, p, g * n + j));
        }
      } else if (reduction == GroupReduction.MEAN) {
        for (int g = 1; g < group; g++) {
          r = r.add(FloatVector.fromArray(SPECIES, p, g * n + j));
        }
        r = r.div((float) group);
      }
      if (add) {
        r = FloatVector.fromArray(SPECIES, row, j).add(r);
      }
      r.intoArray(row, j);
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

  /**
   * Decodes {@code n} IEEE binary16 values from {@code src[srcOff ..]} into {@code dst[0 .. n)},
   * exactly as {@link Float#float16ToFloat} (it is that, lane by lane). Written as the plain loop on
   * purpose: C2 turns it into the hardware conversion ({@code vcvtph2ps}, 16 values per
   * instruction), which the Vector API cannot express; the bit manipulation this replaced cost about
   * five times as much and made f16 attention slower than f32.
   */
  static void decodeF16(short[] src, int srcOff, float[] dst, int n) {
    for (int i = 0; i < n; i++) {
      dst[i] = Float.float16ToFloat(src[srcOff + i]);
    }
  }

  /** Decodes {@code n} (a multiple of {@link #lanes()}) bfloat16 values: the upper halves of floats. */
  static void decodeBf16(short[] src, int srcOff, float[] dst, int n) {
    if (SHORTS == null) {
      for (int i = 0; i < n; i++) {
        dst[i] = Float.intBitsToFloat(src[srcOff + i] << 16);
      }
      return;
    }
    for (int i = 0; i < n; i += LANES) {
      ((IntVector) ShortVector.fromArray(SHORTS, src, srcOff + i).convertShape(VectorOperators.S2I, INTS, 0))
          .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, i);
    }
  }

  /** Lanes of the preferred float vector: keys per tile, floats of lane scratch. */
  static int lanes() {
    return LANES;
  }

  /** A description of the species, for availability messages: {@code "Float512Vector (16 lanes)"}. */
  static String describe() {
    return SPECIES.vectorBitSize() + "-bit float vectors (" + LANES + " lanes)";
  }
}
