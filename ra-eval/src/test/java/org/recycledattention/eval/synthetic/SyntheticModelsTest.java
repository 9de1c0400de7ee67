package org.recycledattention.eval.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.engine.wiring.Models;
import org.recycledattention.model.format.gguf.writer.GgufModelWriter;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.tensor.FloatTensor;
import org.recycledattention.model.tensor.GgmlType;

class SyntheticModelsTest {
  @Test
  void sameSpecSameWeightsAndQuantizedTypesAreUsed() {
    SyntheticSpec spec = SyntheticSpec.parse("synthetic:tiny,dim=64,ffn=128,dtype=q8_0,vocab=300");
    try (LlamaModel a = SyntheticModels.build(spec); LlamaModel b = SyntheticModels.build(spec)) {
      FloatTensor wa = a.weights().layers().get(1).wq();
      assertThat(wa.type()).isEqualTo(GgmlType.Q8_0);
      assertThat(wa.toArray()).containsExactly(b.weights().layers().get(1).wq().toArray());
      assertThat(a.shape().layers()).isEqualTo(2);
      assertThat(a.tokenizer()).isPresent();
    }
  }

  @Test
  void exportedGgufReadsBackWithTheSameTensors(@TempDir Path dir) {
    SyntheticSpec spec = SyntheticSpec.parse("synthetic:tiny,vocab=300,dtype=f32");
    Path file = dir.resolve("tiny.gguf");
    try (LlamaModel model = SyntheticModels.build(spec)) {
      GgufModelWriter.write(file, model.config(), model.weights(), model.tokenizer().orElseThrow(), GgmlType.Q8_0);
      try (LanguageModel back = Models.load(file)) {
        LlamaModel read = (LlamaModel) back;
        assertThat(read.config().dim()).isEqualTo(model.config().dim());
        float[] original = model.weights().layers().get(0).wk().toArray();
        float[] quantized = read.weights().layers().get(0).wk().toArray();
        assertThat(read.weights().layers().get(0).wk().type()).isEqualTo(GgmlType.Q8_0);
        for (int i = 0; i < original.length; i++) {
          // Q8_0: error at most half a step of max|x|/127 per block
          assertThat(quantized[i]).isCloseTo(original[i], within(0.02f));
        }
        assertThat(read.tokenizer().orElseThrow().vocabSize()).isEqualTo(300);
      }
    }
  }
}
