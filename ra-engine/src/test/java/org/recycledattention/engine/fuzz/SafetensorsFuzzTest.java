package org.recycledattention.engine.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.recycledattention.model.format.FileAccess;
import org.recycledattention.model.format.ModelFiles;
import org.recycledattention.model.format.safetensors.SafetensorsFile;

/**
 * Fuzzes one {@code .safetensors} file (8-byte header length, JSON header, data): the input is the
 * file; a valid {@code config.json} of the tiny model lies beside it. The file is opened with
 * {@link SafetensorsFile}, every entry is read as a tensor, and the file is loaded as a model.
 */
class SafetensorsFuzzTest {
  @BeforeAll
  static void configureJazzer() {
    FuzzSupport.configureJazzer();
  }

  @DictionaryEntries({"\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"F32\"", "\"F16\"", "\"BF16\"", "\"I64\"", "\"U8\"", "\"model.embed_tokens.weight\"", "\"lm_head.weight\"", "\"model.layers.0.self_attn.q_proj.bias\"", "9223372036854775807", "-1"})
  @FuzzTest(maxDuration = "5m")
  void safetensorsFile(byte[] input) {
    FuzzSupport.inScratchDir(dir -> {
      FuzzSupport.write(dir, "config.json", Seeds.utf8(Seeds.CONFIG_JSON));
      Path file = FuzzSupport.write(dir, "model.safetensors", input);
      try (ModelFiles files = new ModelFiles(FileAccess.MAPPED)) {
        SafetensorsFile f = SafetensorsFile.open(file, files);
        for (String name : f.entries().keySet()) {
          FuzzSupport.expectContract(dir, d -> f.tensor(name).toArray());
        }
      }
      FuzzSupport.loadAndClose(file);
    });
  }
}
