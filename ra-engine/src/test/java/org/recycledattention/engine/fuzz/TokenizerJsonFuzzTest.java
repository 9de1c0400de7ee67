package org.recycledattention.engine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;
import java.nio.file.Path;
import org.recycledattention.engine.tokenizer.Tokenizers;

/**
 * Fuzzes Hugging Face {@code tokenizer.json}: the input is the file. A tokenizer that is read is
 * also used: encode, decode, every piece.
 */
class TokenizerJsonFuzzTest {
  @BeforeAll
  static void configureJazzer() {
    FuzzSupport.configureJazzer();
  }

  @FuzzTest(maxDuration = "5m")
  void tokenizerJson(byte[] input) {
    FuzzSupport.inScratchDir(dir -> {
      Path file = FuzzSupport.write(dir, "tokenizer.json", input);
      FuzzSupport.exercise(Tokenizers.fromTokenizerJson(file));
    });
  }
}
