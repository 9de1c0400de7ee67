package org.recycledattention.engine.fuzz;

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

  @FuzzTest(maxDuration = "5m")
  void configJson(byte[] input) {
    FuzzSupport.inScratchDir(dir -> {
      FuzzSupport.write(dir, "model.safetensors", Seeds.safetensors());
      FuzzSupport.write(dir, "config.json", input);
      FuzzSupport.loadAndClose(dir);
    });
  }
}
