package org.recycledattention.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

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

  /**
   * This geometry with RoPE base {@code theta}: a larger base rotates every pair of a head more slowly,
   * so more of a head's dimensions can match content (a key) across a long prompt; continuing a
   * model with a larger base is the long-context extension of Code Llama ("adjusted base frequency").
   *
   * @throws IllegalArgumentException unless {@code theta} is finite and in (1, {@value #MAX_ROPE_THETA}]
   */
  public ProbeGeometry withRopeTheta(double theta) {
    if (!(theta > 1 && theta <= MAX_ROPE_THETA)) {
      throw new IllegalArgumentException("expected a RoPE base above 1 and at most " + (long) MAX_ROPE_THETA + ", such as 500000");
    }
    return new ProbeGeometry(layers, dim, heads, kvHeads, headDim, ffn, context, (float) theta, normEps);
  }

  /** The largest RoPE base {@link #withRopeTheta} takes (Llama 3's is 500,000). */
  public static final double MAX_ROPE_THETA = 1e9;

  /** The keys {@link #parse} reads, in order, with this geometry's values: {@code layers=4,dim=128,...}. */
  public String spec() {
    return "layers=" + layers + ",dim=" + dim + ",heads=" + heads + ",kv-heads=" + kvHeads + ",head-dim=" + headDim + ",ffn=" + ffn;
  }

  /**
   * {@link #DEFAULT} with the keys of {@code spec} changed: comma-separated {@code key=value} of
   * {@code layers}, {@code dim}, {@code heads}, {@code kv-heads}, {@code head-dim}, {@code ffn}.
   *
   * @throws IllegalArgumentException naming the bad key or value
   */
  public static ProbeGeometry parse(String spec) {
    Map<String, Integer> v = new LinkedHashMap<>();
    ProbeGeometry d = DEFAULT;
    v.put("layers", d.layers);
    v.put("dim", d.dim);
    v.put("heads", d.heads);
    v.put("kv-heads", d.kvHeads);
    v.put("head-dim", d.headDim);
    v.put("ffn", d.ffn);
    for (String part : spec.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      String[] kv = part.split("=", 2);
      String key = kv[0].strip().toLowerCase(Locale.ROOT);
      if (kv.length != 2 || !v.containsKey(key)) {
        throw new IllegalArgumentException("unknown geometry entry '" + part.strip() + "'; expected key=value with keys " + String.join(", ", v.keySet()));
      }
      try {
        int n = Integer.parseInt(kv[1].strip());
        if (n < 1 || n > 65536) {
          throw new NumberFormatException();
        }
        v.put(key, n);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("invalid value '" + kv[1].strip() + "' for geometry key " + key + ": expected an integer in 1..65536");
      }
    }
    return new ProbeGeometry(v.get("layers"), v.get("dim"), v.get("heads"), v.get("kv-heads"), v.get("head-dim"), v.get("ffn"), d.context, d.ropeTheta,
        d.normEps);
  }
}
