package org.recycledattention.model.format.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.io.SafeText;

/** Hugging Face {@code config.json} of a Llama-family {@code *ForCausalLM} to a {@link ModelConfig}. */
final class HfConfig {
  /** Architecture class -> engine architecture name. */
  static final Map<String, String> ARCHITECTURES = Map.of(
      "LlamaForCausalLM", "llama",
      "MistralForCausalLM", "mistral",
      "Qwen2ForCausalLM", "qwen2");

  private HfConfig() {}

  /**
   * @param hasQkvBias whether the checkpoint has q/k/v biases (Qwen2)
   * @param hasLmHead whether the checkpoint has its own {@code lm_head.weight}
   */
  static ModelConfig parse(Path file, JsonNode cfg, boolean hasQkvBias, boolean hasLmHead) {
    String arch = null;
    for (JsonNode a : cfg.path("architectures")) {
      arch = ARCHITECTURES.get(a.asText());
      if (arch != null) {
        break;
      }
    }
    if (arch == null) {
      String modelType = cfg.path("model_type").asText("");
      arch = switch (modelType) {
        case "llama", "mistral", "qwen2" -> modelType;
        default -> throw new ModelFormatException(file, -1, "architectures is " + SafeText.of(cfg.path("architectures").toString())
            + " and model_type is '" + SafeText.of(modelType) + "'; supported: " + ARCHITECTURES.keySet());
      };
    }
    int dim = positive(file, cfg, "hidden_size", ModelConfig.MAX_WIDTH);
    int ffn = positive(file, cfg, "intermediate_size", ModelConfig.MAX_WIDTH);
    int layers = positive(file, cfg, "num_hidden_layers", ModelConfig.MAX_LAYERS);
    int heads = positive(file, cfg, "num_attention_heads", ModelConfig.MAX_WIDTH);
    int kvHeads = cfg.has("num_key_value_heads") && !cfg.get("num_key_value_heads").isNull() ? positive(file, cfg, "num_key_value_heads") : heads;
    if (heads % kvHeads != 0) {
      throw new ModelFormatException(file, -1, "num_attention_heads (" + heads + ") must be a multiple of num_key_value_heads (" + kvHeads + ")");
    }
    boolean given = cfg.has("head_dim") && !cfg.get("head_dim").isNull();
    int headDim = given ? positive(file, cfg, "head_dim") : dim / heads;
    if (headDim < 2 || headDim % 2 != 0) {
      throw new ModelFormatException(file, -1, "head_dim" + (given ? "" : " (hidden_size / num_attention_heads)") + " is " + headDim
          + "; RoPE needs an even head dimension >= 2");
    }
    long width = (long) heads * headDim;
    if (width > ModelConfig.MAX_WIDTH) {
      throw new ModelFormatException(file, -1, "num_attention_heads (" + heads + ") x head_dim (" + headDim + ") is " + width + ", wider than any model ("
          + ModelConfig.MAX_WIDTH + "); config.json is corrupt");
    }
    int vocab = positive(file, cfg, "vocab_size", ModelConfig.MAX_WIDTH);
    int context = positive(file, cfg, "max_position_embeddings");
    // Sliding-window attention (Mistral 7B v0.1) equals full attention for sequences within the window, and the
    // engine has no sliding mask: cap the context at the window so that the model is never run beyond it.
    // Qwen2 configs carry a sliding_window that is off unless use_sliding_window is true.
    JsonNode window = cfg.get("sliding_window");
    boolean windowOn = cfg.has("use_sliding_window") ? cfg.path("use_sliding_window").asBoolean(false) : !arch.equals("qwen2");
    if (windowOn && window != null && !window.isNull()) {
      int w = positive(file, cfg, "sliding_window");
      context = Math.min(context, w);
    }
    float eps = (float) number(file, cfg, "rms_norm_eps", 1e-6);
    float theta = (float) number(file, cfg, "rope_theta", 10000.0);
    ModelConfig.RopeScaling scaling = null;
    JsonNode rs = cfg.path("rope_scaling");
    if (rs.isObject()) {
      String type = rs.path("rope_type").asText(rs.path("type").asText(""));
      if (!type.equals("llama3")) {
        if (type.equals("default")) {
          rs = null;
        } else {
          throw new ModelFormatException(file, -1, "rope_scaling type '" + SafeText.of(type) + "' is not supported; supported: llama3 (or none)");
        }
      }
    }
    boolean tiedFlag = cfg.path("tie_word_embeddings").asBoolean(false);
    boolean tied = tiedFlag || !hasLmHead;
    try {
      if (rs != null && rs.isObject()) {
        scaling = new ModelConfig.RopeScaling((float) number(file, rs, "factor", 8.0), (float) number(file, rs, "low_freq_factor", 1.0),
            (float) number(file, rs, "high_freq_factor", 4.0), (int) Math.min(Integer.MAX_VALUE, number(file, rs, "original_max_position_embeddings", 8192)));
      }
      return new ModelConfig(arch, dim, ffn, layers, heads, kvHeads, headDim, vocab, context, eps, theta, false, scaling, hasQkvBias, tied);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(file, -1, "inconsistent hyper-parameters: " + e.getMessage(), e);
    }
  }

  private static int positive(Path file, JsonNode cfg, String key, int max) {
    int v = positive(file, cfg, key);
    if (v > max) {
      throw new ModelFormatException(file, -1, "'" + key + "' is " + v + "; expected an integer in 1.." + max);
    }
    return v;
  }

  private static int positive(Path file, JsonNode cfg, String key) {
    JsonNode v = cfg.get(key);
    if (v == null || v.isNull()) {
      throw new ModelFormatException(file, -1, "'" + key + "' is missing; expected a positive integer");
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
      throw new ModelFormatException(file, -1, "'" + key + "' is " + SafeText.of(v.toString()) + "; expected a positive integer");
    }
    return v.asInt();
  }

  private static double number(Path file, JsonNode cfg, String key, double fallback) {
    JsonNode v = cfg.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isNumber() || !(v.asDouble() > 0) || Double.isInfinite(v.asDouble())) {
      throw new ModelFormatException(file, -1, "'" + key + "' is " + SafeText.of(v.toString()) + "; expected a positive number");
    }
    return v.asDouble();
  }
}
