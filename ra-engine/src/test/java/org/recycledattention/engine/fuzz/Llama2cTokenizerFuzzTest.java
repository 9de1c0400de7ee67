package org.recycledattention.engine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.recycledattention.model.tokenizer.Tokenizers;

/**
 * Fuzzes llama2.c {@code tokenizer.bin}. Input layout: two little-endian bytes {@code v}, then the
 * file; the vocabulary size asked for is {@code v + 1} (1 to 65536). A tokenizer that is read is
 * also used: encode, decode, every piece.
 */
class Llama2cTokenizerFuzzTest {
  @BeforeAll
  static void configureJazzer() {
    FuzzSupport.configureJazzer();
  }

  @FuzzTest(maxDuration = "5m")
  void tokenizerBin(byte[] input) {
    if (input.length < 2) {
      return;
    }
    int vocabSize = (input[0] & 0xFF | (input[1] & 0xFF) << 8) + 1;
    FuzzSupport.inScratchDir(dir -> {
      Path file = FuzzSupport.write(dir, "tokenizer.bin", Arrays.copyOfRange(input, 2, input.length));
      FuzzSupport.exercise(Tokenizers.fromLlama2cFile(file, vocabSize));
    });
  }
}
