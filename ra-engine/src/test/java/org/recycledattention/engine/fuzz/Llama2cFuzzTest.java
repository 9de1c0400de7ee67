package org.recycledattention.engine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes llama2.c checkpoints ({@code .bin}: a 7-int header, then f32 weights): the input is the
 * file, read directly with the llama2.c reader (which must check the header itself) and through
 * the loader's format detection.
 */
class Llama2cFuzzTest {
  @BeforeAll
  static void configureJazzer() {
    FuzzSupport.configureJazzer();
  }

  @FuzzTest(maxDuration = "5m")
  void checkpoint(byte[] input) {
    FuzzSupport.inScratchDir(dir -> {
      Path file = FuzzSupport.write(dir, "model.bin", input);
      FuzzSupport.expectContract(dir, d -> FuzzSupport.readLlama2c(file));
      FuzzSupport.loadAndClose(file);
    });
  }
}
