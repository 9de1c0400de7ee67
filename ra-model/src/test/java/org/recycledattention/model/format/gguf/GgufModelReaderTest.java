package org.recycledattention.model.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.recycledattention.model.format.LayerWeights;
import org.recycledattention.model.format.LoadedWeights;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.format.ModelFormat;
import org.recycledattention.model.format.Weights;
import org.recycledattention.model.format.gguf.writer.GgufModelWriter;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.tensor.ArrayTensor;
import org.recycledattention.model.tensor.FloatTensor;
import org.recycledattention.model.tensor.GgmlType;
import org.recycledattention.model.testing.FullAttentionSequence;
import org.recycledattention.model.testing.Loaders;
import org.recycledattention.model.testing.RandomModels;

/** Models written to GGUF and read back compute what the in-memory models compute. */
class GgufModelReaderTest {
  @TempDir
  Path tmp;

  private static final int[] PROMPT = {1, 4, 9, 16, 25, 36, 49};

  private void assertSameLogits(LlamaModel expected, LlamaModel actual) {
    assertSameLogits(expected, actual, 1e-4f);
  }

  private void assertSameLogits(LlamaModel expected, LlamaModel actual, float tolerance) {
    try (FullAttentionSequence a = new FullAttentionSequence(expected, 32, 256);
        FullAttentionSequence b = new FullAttentionSequence(actual, 32, 256)) {
      assertThat(b.prefill(PROMPT)).containsExactly(a.prefill(PROMPT).clone(), within(tolerance));
      for (int t = 0; t < 4; t++) {
        float[] want = a.step(t + 2).clone();
        assertThat(b.step(t + 2)).containsExactly(want, within(tolerance));
      }
    }
  }

  /** The same model with every tensor dequantized onto the heap, reading the same activation formats. */
  private static LlamaModel dequantized(LlamaModel m) {
    UnaryOperator<FloatTensor> deq = t -> t == null ? null
        : new ArrayTensor(t.name(), t.toArray(), t.rows(), t.cols(), t.inputFormat());
    Weights w = m.weights();
    List<LayerWeights> layers = w.layers().stream()
        .map(l -> new LayerWeights(deq.apply(l.attnNorm()), deq.apply(l.wq()), deq.apply(l.wk()), deq.apply(l.wv()),
            deq.apply(l.bq()), deq.apply(l.bk()), deq.apply(l.bv()), deq.apply(l.wo()), deq.apply(l.ffnNorm()), deq.apply(l.gate()),
            deq.apply(l.down()), deq.apply(l.up())))
        .toList();
    FloatTensor embedding = deq.apply(w.tokenEmbedding());
    var copy = new Weights(embedding, layers, deq.apply(w.outputNorm()),
        w.output() == w.tokenEmbedding() ? embedding : deq.apply(w.output()));
    return new LlamaModel(new LoadedWeights(ModelFormat.GGUF, m.source(),
        m.config(), copy, Map.of(), "dequantized", () -> {}), null);
  }

  @ParameterizedTest
  @EnumSource(value = GgmlType.class, names = {"F16", "BF16", "Q8_0", "Q4_0"})
  void everyWeightTypeComputesWhatItsDequantizedWeightsCompute(GgmlType type) {
    ModelConfig config = new ModelConfig("llama", 64, 96, 2, 4, 2, 16, 50, 64, 1e-5f, 10000f, true, null, false, false);
    try (LlamaModel original = RandomModels.random(config, 8)) {
      Path file = tmp.resolve(type + ".gguf");
      GgufModelWriter.write(file, config, original.weights(), null, type);
      try (LlamaModel read = Loaders.formats().load(file); LlamaModel reference = dequantized(read)) {
        assertThat(read.weights().layers().get(0).wq().type()).isEqualTo(type);
        // each product matches to the last bits, but a last-bit difference can move an activation across
        // a rounding boundary of the next layer's activation format (one step of 8 bits, or of an f16's 11):
        // a layout bug is O(1), not 0.05
        assertSameLogits(reference, read, type.blockSize() > 1 ? 0.05f : 2e-3f);
      }
    }
  }

  @Test
  void qwen2WithBiasesAndHalfSplitRopeRoundTrips() {
    ModelConfig config = new ModelConfig("qwen2", 64, 96, 2, 4, 2, 16, 50, 64, 1e-6f, 1e6f, false, null, true, true);
    try (LlamaModel original = RandomModels.random(config, 5)) {
      Path file = tmp.resolve("qwen2.gguf");
      GgufModelWriter.write(file, config, original.weights(), null, GgmlType.F32);
      try (LlamaModel read = Loaders.formats().load(file)) {
        assertThat(read.config()).isEqualTo(config);
        assertSameLogits(original, read);
      }
    }
  }

  @Test
  void llama3RopeScalingIsRecoveredFromRopeFreqs() {
    ModelConfig.RopeScaling scaling = new ModelConfig.RopeScaling(32f, 1f, 4f, 64);
    ModelConfig config = new ModelConfig("llama", 64, 96, 2, 2, 1, 32, 50, 256, 1e-5f, 10000f, true, scaling, false, false);
    try (LlamaModel original = RandomModels.random(config, 6)) {
      Path file = tmp.resolve("llama3.gguf");
      GgufModelWriter.write(file, config, original.weights(), null, GgmlType.F32);
      try (LlamaModel read = Loaders.formats().load(file)) {
        ModelConfig.RopeScaling got = read.config().ropeScaling();
        assertThat(got).isNotNull();
        assertThat(got.factor()).isCloseTo(32f, within(1e-3f));
        assertSameLogits(original, read);
      }
    }
  }
}
