package org.recycledattention.engine.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.recycledattention.model.tokenizer.Tokenizers;

/**
 * Fuzzes Hugging Face {@code tokenizer.json}: the input is the file. A tokenizer that is read is
 * also used: encode, decode, every piece.
 */
class TokenizerJsonFuzzTest {
  @BeforeAll
  static void configureJazzer() {
    FuzzSupport.configureJazzer();
  }

  @DictionaryEntries({"\"model\"", "\"type\"", "\"BPE\"", "\"vocab\"", "\"merges\"", "\"added_tokens\"", "\"special\"", "\"content\"", "\"id\"", "\"byte_fallback\"", "\"unk_token\"", "\"ignore_merges\"", "\"normalizer\"", "\"pre_tokenizer\"", "\"Sequence\"", "\"Split\"", "\"Regex\"", "\"ByteLevel\"", "\"Metaspace\"", "\"Prepend\"", "\"prepend_scheme\"", "\"NFC\"", "\"post_processor\"", "\"TemplateProcessing\"", "\"SpecialToken\"", "\"<0x41>\"", "\"\\u2581\"", "2147483647"})
  @FuzzTest(maxDuration = "5m")
  void tokenizerJson(byte[] input) {
    FuzzSupport.inScratchDir(dir -> {
      Path file = FuzzSupport.write(dir, "tokenizer.json", input);
      FuzzSupport.exercise(Tokenizers.fromTokenizerJson(file));
    });
  }
}
