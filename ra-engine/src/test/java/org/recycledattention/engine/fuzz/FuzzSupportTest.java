package org.recycledattention.engine.fuzz;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.api.RaException;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.testing.RandomModels;

/** The contract every fuzz target enforces lets format errors through and nothing else. */
class FuzzSupportTest {
  @TempDir
  Path dir;

  @Test
  void formatErrorsAndNormalReturnsPass() {
    assertThatCode(() -> FuzzSupport.expectContract(dir, d -> {})).doesNotThrowAnyException();
    assertThatCode(() -> FuzzSupport.expectContract(dir, d -> {
      throw new ModelFormatException(d.resolve("x"), 3, "bad");
    })).doesNotThrowAnyException();
  }

  @Test
  void crashesEscapeAsFindings() {
    assertThatThrownBy(() -> FuzzSupport.expectContract(dir, d -> {
      throw new IndexOutOfBoundsException("boom");
    })).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> FuzzSupport.expectContract(dir, d -> {
      throw new OutOfMemoryError("Requested array size exceeds VM limit");
    })).isInstanceOf(OutOfMemoryError.class);
    assertThatThrownBy(() -> FuzzSupport.expectContract(dir, d -> {
      throw new RaException("runtime failure");
    })).isInstanceOf(AssertionError.class).hasMessageContaining("exit code 1 instead of 2");
    assertThatThrownBy(() -> FuzzSupport.expectContract(dir, d -> {
      throw new ModelFormatException(null, 0, "no file");
    })).isInstanceOf(AssertionError.class).hasMessageContaining("without a file");
  }

  @Test
  void theContractGoesPastLoadingIntoDecoding() {
    // a tokenizer of 16 pieces over a 64-row embedding (built in memory, past the loader's check): the model predicts
    // tokens the tokenizer cannot decode, which only decoding shows
    ModelConfig wide = new ModelConfig("llama", 8, 16, 1, 2, 1, 4, 64, 32, 1e-5f, 10000f, true, null, false, true);
    try (LlamaModel m = RandomModels.random(wide, 3, -1, Seeds.spmTokenizer())) {
      assertThatThrownBy(() -> FuzzSupport.expectContract(dir, d -> Decoding.decodeWithEveryPolicy(m)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the vocabulary");
    }
    try (LlamaModel m = RandomModels.random(Seeds.CONFIG, 3, -1, Seeds.spmTokenizer())) {
      assertThatCode(() -> Decoding.decodeWithEveryPolicy(m)).doesNotThrowAnyException();
    }
  }

  @Test
  void everyCommittedValidSeedLoads() {
    FuzzSupport.inScratchDir(d -> {
      FuzzSupport.loadAndClose(FuzzSupport.write(d, "m.gguf", Seeds.gguf(org.recycledattention.model.tensor.GgmlType.F32, Seeds.spmTokenizer())));
      FuzzSupport.loadAndClose(FuzzSupport.write(d, "m.bin", Seeds.llama2c(false, 2)));
      FuzzSupport.write(d, "config.json", Seeds.utf8(Seeds.CONFIG_JSON));
      FuzzSupport.loadAndClose(FuzzSupport.write(d, "model.safetensors", Seeds.safetensors()));
    });
  }
}
