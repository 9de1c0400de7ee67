package org.recycledattention.engine.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes Hugging Face {@code config.json}: the input is the config; {@code model.safetensors} of
 * the tiny model lies beside it and the directory is loaded as a model.
 */
class HfConfigFuzzTest {
  @BeforeAll
  static void configureJazzer() {
    FuzzSupport.configureJazzer();
  }

  @DictionaryEntries({"\"architectures\"", "\"LlamaForCausalLM\"", "\"Qwen2ForCausalLM\"", "\"MistralForCausalLM\"", "\"model_type\"", "\"hidden_size\"", "\"intermediate_size\"", "\"num_hidden_layers\"", "\"num_attention_heads\"", "\"num_key_value_heads\"", "\"head_dim\"", "\"vocab_size\"", "\"max_position_embeddings\"", "\"rms_norm_eps\"", "\"rope_theta\"", "\"rope_scaling\"", "\"rope_type\"", "\"llama3\"", "\"factor\"", "\"original_max_position_embeddings\"", "\"tie_word_embeddings\"", "2147483647", "-1", "1e999", "null"})
  @FuzzTest(maxDuration = "5m")
  void configJson(byte[] input) {
    FuzzSupport.inScratchDir(dir -> {
      FuzzSupport.write(dir, "model.safetensors", Seeds.safetensors());
      FuzzSupport.write(dir, "config.json", input);
      FuzzSupport.loadAndClose(dir);
    });
  }
}
