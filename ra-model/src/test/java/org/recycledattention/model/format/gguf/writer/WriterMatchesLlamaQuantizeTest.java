package org.recycledattention.model.format.gguf.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.recycledattention.model.format.LayerWeights;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.format.Weights;
import org.recycledattention.model.format.gguf.GgufFile;
import org.recycledattention.model.format.gguf.GgufTensorInfo;
import org.recycledattention.model.format.gguf.QuantFixtureModels;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.tensor.FloatTensor;
import org.recycledattention.model.tensor.GgmlType;
import org.recycledattention.model.testing.Loaders;
import org.recycledattention.model.testing.RandomModels;

/**
 * The writer quantizes as {@code llama-quantize} does, bit for bit: the models of the llama.cpp
 * fixtures ({@code quant-fixtures}, made by {@code llama-quantize --pure} from the same F32 weights)
 * written by {@link GgufModelWriter}, or encoded tensor by tensor by {@link GgmlQuantizer}, give
 * the fixtures' tensor bytes; the files read back are the fixtures (whose ids the llama.cpp test
 * checks).
 */
class WriterMatchesLlamaQuantizeTest {
  static final Path FIXTURES = Path.of("src/test/resources/quant-fixtures");

  @TempDir Path dir;

  private static QuantFixtureModels.Spec spec(String name) {
    return QuantFixtureModels.SPECS.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  @ParameterizedTest
  @CsvSource({"llama-a, Q4_K", "llama-a, Q5_K", "llama-a, Q6_K", "llama-b, Q4_K", "llama-b, Q5_K", "llama-b, Q6_K", "qwen2, Q4_K", "qwen2, Q5_K",
      "qwen2, Q6_K", "llama-a, Q8_0", "llama-b, Q4_0", "qwen2, BF16"})
  void theModelWriterWritesLlamaQuantizesBytes(String model, GgmlType type) {
    QuantFixtureModels.Spec s = spec(model);
    Path out = dir.resolve(model + ".gguf");
    GgufModelWriter.write(out, s.config(), QuantFixtureModels.weights(s), QuantFixtureModels.tokenizer(s.config().vocabSize()), type);
    Path fixture = FIXTURES.resolve(model + "-" + type.name().toLowerCase(Locale.ROOT) + ".gguf");
    try (GgufFile mine = GgufFile.open(out); GgufFile theirs = GgufFile.open(fixture)) {
      assertThat(mine.tensors().keySet()).containsExactlyInAnyOrderElementsOf(theirs.tensors().keySet());
      for (GgufTensorInfo t : theirs.tensors().values()) {
        GgufTensorInfo m = mine.tensor(t.name()).orElseThrow();
        assertThat(m.type()).as(t.name()).isEqualTo(t.type());
        assertThat(GgufModelWriterTest.bytes(mine, m)).as("%s %s (%s)", model, t.name(), t.type()).isEqualTo(GgufModelWriterTest.bytes(theirs, t));
      }
      assertThat(mine.intValue("general.file_type", -1)).isEqualTo(theirs.intValue("general.file_type", -2));
    }
    try (LlamaModel read = Loaders.formats().load(out)) {
      assertThat(read.weights().layers().get(0).up().type()).isEqualTo(type);
    }
  }

  /**
   * Rows that are not whole 256-element super-blocks fall back as llama-quantize falls back (Q4_K to
   * Q5_0, Q5_K to Q5_1, Q6_K to Q8_0), and to F16 when not even 32-element blocks fit; what is
   * written reads back within the type's rounding.
   */
  @ParameterizedTest
  @CsvSource({"Q4_K, Q5_0, 0.07", "Q5_K, Q5_1, 0.04", "Q6_K, Q8_0, 0.01"})
  void rowsOfOtherLengthsFallBackAsLlamaQuantizeFallsBack(GgmlType type, GgmlType fallback, double tolerance) {
    // rows of 64 (dim) and 72 (ffn, the down projection's rows): neither is a whole super-block, 72 is not even 32-element blocks
    ModelConfig config = new ModelConfig("llama", 64, 72, 1, 4, 2, 16, 40, 64,
        1e-5f, 10000f, true, null, false, false);
    try (LlamaModel original = RandomModels.random(config, 3)) {
      Path out = dir.resolve("fallback-" + type + ".gguf");
      GgufModelWriter.write(out, config, original.weights(), null, type);
      try (LlamaModel read = Loaders.formats().load(out)) {
        LayerWeights l = read.weights().layers().get(0);
        assertThat(l.wq().type()).isEqualTo(fallback);
        assertThat(l.up().type()).isEqualTo(fallback);
        assertThat(l.down().type()).isEqualTo(GgmlType.F16);
        assertThat(read.weights().outputNorm().type()).isEqualTo(GgmlType.F32);
        float[] want = original.weights().layers().get(0).wq().toArray();
        float[] got = l.wq().toArray();
        for (int i = 0; i < want.length; i++) {
          assertThat((double) got[i]).as("element %d", i).isCloseTo(want[i], Assertions.within(tolerance));
        }
      }
    }
  }

  /** The 32-element types the writer falls back to (and Q8_0, Q4_0) through {@link GgmlQuantizer#encode}, tensor by tensor. */
  @ParameterizedTest
  @CsvSource({"llama-a, Q5_0", "llama-a, Q5_1", "qwen2, Q5_0", "llama-b, Q5_1", "llama-b, Q8_0"})
  void theQuantizerEncodesLlamaQuantizesBytes(String model, GgmlType type) {
    QuantFixtureModels.Spec s = spec(model);
    Weights w = QuantFixtureModels.weights(s);
    LayerWeights l = w.layers().get(0);
    Path fixture = FIXTURES.resolve(model + "-" + type.name().toLowerCase(Locale.ROOT) + ".gguf");
    try (GgufFile theirs = GgufFile.open(fixture)) {
      for (FloatTensor t : new FloatTensor[] {w.tokenEmbedding(), l.wq(), l.wk(), l.wv(), l.wo(), l.gate(), l.up(), l.down()}) {
        float[] values = t.toArray();
        ByteBuffer encoded = ByteBuffer.allocate((int) GgmlQuantizer.bytes(type, values.length)).order(ByteOrder.LITTLE_ENDIAN);
        GgmlQuantizer.encode(type, values, 0, values.length, encoded);
        String name = t.name() + ".weight";
        assertThat(encoded.array()).as("%s %s", model, name).isEqualTo(GgufModelWriterTest.bytes(theirs, theirs.tensor(name).orElseThrow()));
      }
    }
  }
}
