package org.recycledattention.engine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.recycledattention.model.format.gguf.GgufFile;
import org.recycledattention.model.tokenizer.Tokenizers;

/**
 * Fuzzes the GGUF reader: the input is a whole {@code .gguf} file. It is opened with {@link
 * GgufFile}, its tokenizer metadata (when present) is built with {@link
 * Tokenizers#fromGgufMetadata}, and it is loaded as a model with the CLI's loader.
 */
class GgufFuzzTest {
  @BeforeAll
  static void configureJazzer() {
    FuzzSupport.configureJazzer();
  }

  @FuzzTest(maxDuration = "5m")
  void gguf(byte[] input) {
    FuzzSupport.inScratchDir(dir -> {
      Path file = FuzzSupport.write(dir, "model.gguf", input);
      try (GgufFile gguf = GgufFile.open(file)) {
        if (gguf.metadata().containsKey("tokenizer.ggml.model")) {
          FuzzSupport.expectContract(dir, d -> FuzzSupport.exercise(Tokenizers.fromGgufMetadata(gguf.metadata(), file)));
        }
        for (String name : gguf.tensors().keySet()) {
          FuzzSupport.expectContract(dir, d -> gguf.floatTensor(name).toArray());
        }
      }
      FuzzSupport.loadAndClose(file);
    });
  }
}
