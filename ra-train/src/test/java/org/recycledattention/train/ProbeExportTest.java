package org.recycledattention.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.engine.decode.Session;
import org.recycledattention.engine.testing.Runtimes;
import org.recycledattention.engine.wiring.Models;
import org.recycledattention.eval.ruler.RulerTask;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.model.tensor.GgmlType;

/** The trainer's forward pass and the engine's agree on the exported file: what is trained is what runs. */
class ProbeExportTest {
  @ParameterizedTest(name = "RoPE base {0}")
  @ValueSource(floats = {10000f, 500000f}) // the default, and a base set with train-probe --rope-theta
  void exportedProbeRunsInTheEngineWithTheTrainersLogits(float ropeTheta, @TempDir Path dir) {
    ProbeGeometry g = new ProbeGeometry(2, 64, 4, 2, 16, 96, 512, 10000f, 1e-5f).withRopeTheta(ropeTheta);
    ProbeVocabulary vocab = ProbeVocabulary.build();
    ProbeTrainer trainer = new ProbeTrainer(g, vocab);
    ProbeWeights w = trainer.train(new ProbeTrainer.Options(3, 2, 96, 120, 5, 3e-3, List.of(RulerTask.NIAH_SINGLE)), log -> { });
    Path file = dir.resolve("probe.gguf");
    ProbeExporter.write(w, file, GgmlType.F32);

    int[] prompt = vocab.tokenizer().encode("The grass is green. One of the special magic numbers for calm-river is: 4242424.", true);
    float[] expected = trainer.lastLogits(w, prompt);
    try (LanguageModel model = Models.load(file);
        KvCacheBackend backend = Runtimes.cpu();
        Session session = new Session(model, backend, Runtimes.policy("full", 64), 1, 128)) {
      assertThat(model.tokenizer()).isPresent();
      assertThat(model.tokenizer().get().encode("The grass", true)).containsExactly(vocab.tokenizer().encode("The grass", true));
      float[] actual = session.prefill(prompt);
      assertThat(actual).hasSameSizeAs(expected);
      for (int i = 0; i < expected.length; i++) {
        assertThat(actual[i]).as("logit %d", i).isCloseTo(expected[i], within(2e-3f));
      }
    }
  }
}
