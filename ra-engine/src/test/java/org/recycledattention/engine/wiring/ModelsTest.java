package org.recycledattention.engine.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.recycledattention.model.format.ModelFormat;
import org.recycledattention.model.llama.LanguageModel;

class ModelsTest {
  @Test
  void theCompositionRootReadsEveryFormat() {
    assertThat(Models.loader().formats()).containsExactlyInAnyOrder(ModelFormat.values());
  }

  @Test
  void aGgufModelComesWithTheTokenizerItCarries() {
    Path gguf = Path.of(System.getProperty("ra.fixtures", "../shared/fixtures"), "stories260K", "stories260K-f32.gguf");
    assumeTrue(Files.isRegularFile(gguf), "fixture " + gguf + " is absent");
    try (LanguageModel model = Models.load(gguf)) {
      assertThat(model.tokenizer()).isPresent();
      assertThat(model.tokenizer().get().vocabSize()).isEqualTo(512);
      assertThat(model.shape().layers()).isEqualTo(5);
    }
  }
}
