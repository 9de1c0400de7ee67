package org.recycledattention.eval.synthetic;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.recycledattention.api.config.ConfigException;

/**
 * The geometry and weight type of a synthetic model.
 *
 * @param layers transformer blocks
 * @param dim embedding width
 * @param heads query heads
 * @param kvHeads key/value heads
 * @param headDim elements per head (need not equal dim / heads)
 * @param ffn SwiGLU hidden width
 * @param vocab vocabulary size
 * @param context context length
 * @param dtype weight type: f32, f16, q8_0 or q4_0
 * @param seed seed of the random weights
 */
public record SyntheticSpec(int layers, int dim, int heads, int kvHeads, int headDim, int ffn, int vocab, int context, String dtype, long seed) {
  /** The prefix that marks a synthetic model where a model file is expected. */
  public static final String PREFIX = "synthetic:";

  /** Named geometries. */
  public static final Map<String, SyntheticSpec> PRESETS;

  static {
    Map<String, SyntheticSpec> p = new LinkedHashMap<>();
    // Attention-dominated: at 16K context one full step reads 4·4·64·2·4 B · 16384 = 134 MB of K/V
    // against ~16 MB of f32 weights (8x), so decode time is mostly attention, as at long context in big models.
    p.put("bench-small", new SyntheticSpec(4, 256, 8, 4, 64, 768, 512, 65536, "f32", 1));
    // Llama-3.2-1B's geometry (16 layers, 2048 wide, 32 heads, 8 KV heads, head dim 64, FFN 8192, vocab 128256).
    p.put("llama-3.2-1b", new SyntheticSpec(16, 2048, 32, 8, 64, 8192, 128256, 131072, "q8_0", 1));
    // Tiny, for tests and smoke runs.
    p.put("tiny", new SyntheticSpec(2, 64, 4, 2, 16, 128, 512, 4096, "f32", 1));
    PRESETS = Collections.unmodifiableMap(p);
  }

  public SyntheticSpec {
    check("layers", layers, 1, 1024);
    check("dim", dim, 1, 65536);
    check("heads", heads, 1, 1024);
    check("kv-heads", kvHeads, 1, 1024);
    check("head-dim", headDim, 2, 1024);
    check("ffn", ffn, 1, 1 << 20);
    check("vocab", vocab, 1, 1 << 22);
    check("context", context, 1, 1 << 24);
    if (heads % kvHeads != 0) {
      throw new ConfigException("synthetic model: heads (" + heads + ") must be a multiple of kv-heads (" + kvHeads + ")");
    }
    if (headDim % 2 != 0) {
      throw new ConfigException("synthetic model: head-dim (" + headDim + ") must be even (RoPE rotates pairs)");
    }
    if (!List.of("f32", "f16", "q8_0", "q4_0").contains(dtype)) {
      throw new ConfigException("synthetic model: dtype '" + dtype + "' is not one of f32 | f16 | q8_0 | q4_0");
    }
    if (!dtype.equals("f32") && !dtype.equals("f16") && (dim % 32 != 0 || ffn % 32 != 0 || (heads * headDim) % 32 != 0)) {
      throw new ConfigException("synthetic model: dtype " + dtype + " needs dim, ffn and heads*head-dim to be multiples of 32");
    }
  }

  private static void check(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new ConfigException("synthetic model: " + key + "=" + value + " is out of range; expected an integer in [" + min + ", " + max + "]");
    }
  }

  /** Whether {@code model} names a synthetic model rather than a file. */
  public static boolean isSynthetic(String model) {
    return model.startsWith(PREFIX);
  }

  /**
   * Parses {@code synthetic:PRESET}, {@code synthetic:key=value,...} or {@code
   * synthetic:PRESET,key=value,...} (keys override the preset). Keys: layers, dim, heads, kv-heads,
   * head-dim, ffn, vocab, context, dtype, seed.
   *
   * @throws ConfigException naming the bad part and listing presets and keys
   */
  public static SyntheticSpec parse(String model) {
    if (!isSynthetic(model)) {
      throw new ConfigException("'" + model + "' is not a synthetic model spec; expected synthetic:PRESET or synthetic:key=value,...");
    }
    String body = model.substring(PREFIX.length()).strip();
    SyntheticSpec base = PRESETS.get("tiny");
    Map<String, String> kv = new TreeMap<>();
    String[] parts = body.isEmpty() ? new String[0] : body.split(",");
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i].strip();
      int eq = part.indexOf('=');
      if (eq < 0) {
        if (i != 0) {
          throw new ConfigException("synthetic model '" + model + "': '" + part + "' is not key=value; a preset name may only come first");
        }
        base = PRESETS.get(part.toLowerCase(Locale.ROOT));
        if (base == null) {
          throw new ConfigException("synthetic model '" + model + "': unknown preset '" + part + "'; presets: " + String.join(", ", PRESETS.keySet()));
        }
      } else {
        kv.put(part.substring(0, eq).strip().toLowerCase(Locale.ROOT), part.substring(eq + 1).strip());
      }
    }
    Set<String> unknown = new TreeSet<>(kv.keySet());
    unknown.removeAll(List.of("layers", "dim", "heads", "kv-heads", "head-dim", "ffn", "vocab", "context", "dtype", "seed"));
    if (!unknown.isEmpty()) {
      throw new ConfigException("synthetic model '" + model + "': unknown key(s) " + unknown
          + "; keys: layers, dim, heads, kv-heads, head-dim, ffn, vocab, context, dtype, seed");
    }
    return new SyntheticSpec(
        intOf(kv.get("layers"), base.layers, "layers"), intOf(kv.get("dim"), base.dim, "dim"),
        intOf(kv.get("heads"), base.heads, "heads"), intOf(kv.get("kv-heads"), base.kvHeads, "kv-heads"),
        intOf(kv.get("head-dim"), base.headDim, "head-dim"), intOf(kv.get("ffn"), base.ffn, "ffn"),
        intOf(kv.get("vocab"), base.vocab, "vocab"), intOf(kv.get("context"), base.context, "context"),
        kv.containsKey("dtype") ? kv.get("dtype").toLowerCase(Locale.ROOT) : base.dtype,
        kv.containsKey("seed") ? longOf(kv.get("seed")) : base.seed);
  }

  private static int intOf(String text, int fallback, String key) {
    if (text == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new ConfigException("synthetic model: " + key + "='" + text + "' is not an integer");
    }
  }

  private static long longOf(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new ConfigException("synthetic model: seed='" + text + "' is not an integer");
    }
  }

  /** Parameters (weights), counting the untied output matrix. */
  public long parameters() {
    long q = (long) heads * headDim;
    long kv = (long) kvHeads * headDim;
    long perLayer = 2L * dim + q * dim + 2 * kv * dim + dim * q + 3L * dim * ffn;
    return 2L * vocab * dim + dim + layers * perLayer;
  }

  /** Key/value bytes one full attention step reads at {@code context} tokens with {@code bytesPerElement} storage. */
  public long kvBytesPerFullStep(long contextTokens, int bytesPerElement) {
    return (long) layers * kvHeads * headDim * 2L * bytesPerElement * contextTokens;
  }

  /** The canonical spec text, presets expanded. */
  public String text() {
    return PREFIX + "layers=" + layers + ",dim=" + dim + ",heads=" + heads + ",kv-heads=" + kvHeads + ",head-dim=" + headDim + ",ffn=" + ffn
        + ",vocab=" + vocab + ",context=" + context + ",dtype=" + dtype + ",seed=" + seed;
  }
}
