package org.recycledattention.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.engine.decode.Session;
import org.recycledattention.engine.ggufwriter.GgufModelWriter;
import org.recycledattention.engine.model.LlamaModel;
import org.recycledattention.engine.model.ModelConfig;
import org.recycledattention.engine.model.ModelLoader;
import org.recycledattention.engine.tensor.GgmlType;
import org.recycledattention.engine.testing.ReferenceTestCache;
import org.recycledattention.engine.testing.Runtimes;
import org.recycledattention.engine.testing.SyntheticModels;

/** Models written to GGUF and read back compute what the in-memory models compute. */
class GgufModelReaderTest {
  @TempDir
  Path tmp;

  private static final int[] PROMPT = {1, 4, 9, 16, 25, 36, 49};

  private void assertSameLogits(LlamaModel expected, LlamaModel actual) {
    try (Session a = new Session(expected, ReferenceTestCache.backend(true), Runtimes.full(), 1, 32);
        Session b = new Session(actual, ReferenceTestCache.backend(true), Runtimes.full(), 1, 32)) {
      assertThat(b.prefill(PROMPT)).containsExactly(a.prefill(PROMPT).clone(), within(1e-4f));
      for (int t = 0; t < 4; t++) {
        float[] want = a.step(t + 2).clone();
        assertThat(b.step(t + 2)).containsExactly(want, within(1e-4f));
      }
    }
  }

  @Test
  void qwen2WithBiasesAndHalfSplitRopeRoundTrips() {
    ModelConfig config = new ModelConfig("qwen2", 64, 96, 2, 4, 2, 16, 50, 64, 1e-6f, 1e6f, false, null, true, true);
    try (LlamaModel original = SyntheticModels.random(config, 5)) {
      Path file = tmp.resolve("qwen2.gguf");
      GgufModelWriter.write(file, config, original.weights(), null, GgmlType.F32);
      try (LlamaModel read = ModelLoader.loadModel(file)) {
        assertThat(read.config()).isEqualTo(config);
        assertSameLogits(original, read);
      }
    }
  }

  @Test
  void llama3RopeScalingIsRecoveredFromRopeFreqs() {
    ModelConfig.RopeScaling scaling = new ModelConfig.RopeScaling(32f, 1f, 4f, 64);
    ModelConfig config = new ModelConfig("llama", 64, 96, 2, 2, 1, 32, 50, 256, 1e-5f, 10000f, true, scaling, false, false);
    try (LlamaModel original = SyntheticModels.random(config, 6)) {
      Path file = tmp.resolve("llama3.gguf");
      GgufModelWriter.write(file, config, original.weights(), null, GgmlType.F32);
      try (LlamaModel read = ModelLoader.loadModel(file)) {
        ModelConfig.RopeScaling got = read.config().ropeScaling();
        assertThat(got).isNotNull();
        assertThat(got.factor()).isCloseTo(32f, within(1e-3f));
        assertSameLogits(original, read);
      }
    }
  }
}
