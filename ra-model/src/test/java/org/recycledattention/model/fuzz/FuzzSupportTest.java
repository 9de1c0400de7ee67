package org.recycledattention.model.fuzz;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.api.RaException;
import org.recycledattention.model.ModelFormatException;

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
  void everyCommittedValidSeedLoads() {
    FuzzSupport.inScratchDir(d -> {
      FuzzSupport.loadAndClose(FuzzSupport.write(d, "m.gguf", Seeds.gguf(org.recycledattention.model.tensor.GgmlType.F32, Seeds.spmTokenizer())));
      FuzzSupport.loadAndClose(FuzzSupport.write(d, "m.bin", Seeds.llama2c(false, 2)));
      FuzzSupport.write(d, "config.json", Seeds.utf8(Seeds.CONFIG_JSON));
      FuzzSupport.loadAndClose(FuzzSupport.write(d, "model.safetensors", Seeds.safetensors()));
    });
  }
}
