package org.recycledattention.train;

/**
 * The probe model's shape. Defaults: 4 layers, width 128, 4 query heads sharing 2 KV heads of 32,
 * SwiGLU width 384, context 4096, output projection tied to the token embedding (so copying a
 * token needs no per-token output weights to be learnt): about a million parameters, a few MB as GGUF.
 */
public record ProbeGeometry(int layers, int dim, int heads, int kvHeads, int headDim, int ffn, int context, float ropeTheta, float normEps) {
  public static final ProbeGeometry DEFAULT = new ProbeGeometry(4, 128, 4, 2, 32, 384, 4096, 10000f, 1e-5f);

  public ProbeGeometry {
    if (layers < 1 || dim < 1 || heads < 1 || kvHeads < 1 || headDim < 2 || headDim % 2 != 0 || ffn < 1 || context < 2 || heads % kvHeads != 0) {
      throw new IllegalArgumentException("invalid probe geometry: " + layers + " layers, dim " + dim + ", " + heads + " heads, " + kvHeads
          + " kv heads, head dim " + headDim + ", ffn " + ffn + ", context " + context);
    }
  }

  public int group() {
    return heads / kvHeads;
  }
}
