package org.recycledattention.engine.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes {@code model.safetensors.index.json}: the input is the index; the directory also holds a
 * valid {@code config.json} and two shards of the tiny model ({@code a.safetensors}, {@code
 * b.safetensors}), and a file outside the model directory that no index may reach.
 */
class SafetensorsIndexFuzzTest {
  @BeforeAll
  static void configureJazzer() {
    FuzzSupport.configureJazzer();
  }

  @DictionaryEntries({"\"weight_map\"", "\"metadata\"", "\"a.safetensors\"", "\"b.safetensors\"", "\"../outside.safetensors\"", "\"model.embed_tokens.weight\"", "\"model.layers.0.input_layernorm.weight\"", "\"lm_head.weight\"", "\"/\"", "\"..\""})
  @FuzzTest(maxDuration = "5m")
  void shardIndex(byte[] input) {
    FuzzSupport.inScratchDir(root -> {
      FuzzSupport.write(root, "outside.safetensors", Seeds.safetensors());
      var dir = java.nio.file.Files.createDirectory(root.resolve("model"));
      FuzzSupport.write(dir, "config.json", Seeds.utf8(Seeds.CONFIG_JSON));
      FuzzSupport.write(dir, "a.safetensors", Seeds.safetensors("F32", Seeds::inShardA));
      FuzzSupport.write(dir, "b.safetensors", Seeds.safetensors("BF16", n -> !Seeds.inShardA(n)));
      FuzzSupport.write(dir, "model.safetensors.index.json", input);
      FuzzSupport.loadAndClose(dir);
    });
  }
}
