package org.recycledattention.model.llama;

import static java.util.Objects.requireNonNull;

import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.tensor.Activations;
import org.recycledattention.model.tensor.Parallel;

/**
 * Everything one sequence needs besides the shared weights: its {@link Attention}, its parallel
 * helper and every scratch buffer of the forward pass (allocated once, so decoding allocates no
 * buffers per token).
 *
 * <p><b>NOTE:</b> not thread-safe; one thread drives one sequence. Does not own the attention or
 * the parallel helper: whoever created them closes them.
 */
public final class SequenceState {
  final Attention attention;
  final Parallel parallel;
  final int maxChunk;

  final float[] x;
  final float[] xb;
  final float[] xb2;
  final float[] k;
  final float[] v;
  final float[] att;
  final float[] hb;
  final float[] hb2;
  final float[] cos;
  final float[] sin;
  final int[] positions;
  final float[] logits;
  /** The input of the current matrix products, prepared once per weight type. */
  final Activations input = new Activations();
  /** The single-token query; chunk queries get an exact-length array (see {@link #query}). */
  private final float[] query1;
  /** The outputs of a single token's fused products: {query, k, v} and {hb, hb2}. */
  final float[][] qkvOut;
  final float[][] gateUpOut;
  private float[] queryChunk;

  SequenceState(ModelConfig c, Attention attention, Parallel parallel, int maxChunk) {
    this.attention = requireNonNull(attention, "attention is null");
    this.parallel = requireNonNull(parallel, "parallel is null");
    if (maxChunk < 1) {
      throw new IllegalArgumentException("maxChunk must be >= 1, got " + maxChunk);
    }
    this.maxChunk = maxChunk;
    int qDim = c.heads() * c.headDim();
    int kvDim = c.kvHeads() * c.headDim();
    int wide = Math.max(c.dim(), qDim);
    if ((long) maxChunk * Math.max(wide, c.ffnDim()) > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a chunk of " + maxChunk + " tokens of width " + Math.max(wide, c.ffnDim()) + " does not fit a Java array");
    }
    x = new float[maxChunk * c.dim()];
    xb = new float[maxChunk * wide];
    xb2 = new float[maxChunk * wide];
    k = new float[maxChunk * kvDim];
    v = new float[maxChunk * kvDim];
    att = new float[maxChunk * qDim];
    hb = new float[maxChunk * c.ffnDim()];
    hb2 = new float[maxChunk * c.ffnDim()];
    cos = new float[maxChunk * c.headDim() / 2];
    sin = new float[maxChunk * c.headDim() / 2];
    positions = new int[maxChunk];
    logits = new float[c.vocabSize()];
    query1 = new float[qDim];
    queryChunk = query1;
    qkvOut = new float[][] {query1, k, v};
    gateUpOut = new float[][] {hb, hb2};
  }

  /** An array of exactly {@code tokens × qDim} floats for the step's queries. */
  float[] query(int tokens, int qDim) {
    if (tokens == 1) {
      return query1;
    }
    if (queryChunk.length != tokens * qDim) {
      queryChunk = new float[tokens * qDim];
    }
    return queryChunk;
  }

  /** The most tokens one {@code forward} call may take. */
  public int maxChunk() {
    return maxChunk;
  }

  /** Logits of the last token of the latest forward call; overwritten by the next call. */
  public float[] logits() {
    return logits;
  }
}
