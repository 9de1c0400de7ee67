package org.recycledattention.model.format.gguf.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.model.format.LoadedWeights;
import org.recycledattention.model.format.gguf.GgufFile;
import org.recycledattention.model.format.gguf.GgufModelReader;
import org.recycledattention.model.format.gguf.GgufTensorInfo;
import org.recycledattention.model.format.llama2c.Llama2cReader;
import org.recycledattention.model.tensor.GgmlType;
import org.recycledattention.model.tokenizer.Tokenizer;
import org.recycledattention.model.tokenizer.Tokenizers;

/** Re-creates the stories260K GGUFs that llama.cpp made and compares them byte for byte, tensor by tensor. */
class GgufModelWriterTest {
  static final Path FIXTURES = Path.of(System.getProperty("ra.fixtures", "../shared/fixtures")).resolve("stories260K");

  @TempDir Path dir;

  static Path fixture(String name) {
    Path p = FIXTURES.resolve(name);
    assumeThat(Files.isRegularFile(p)).as("fixture %s is absent (set -Dra.fixtures)", p).isTrue();
    return p;
  }

  static byte[] bytes(GgufFile g, GgufTensorInfo t) {
    return g.data().asSlice(t.offset(), t.bytes()).toArray(ValueLayout.JAVA_BYTE);
  }

  /** Writes the F32 fixture's weights as {@code type} and compares every tensor that llama-quantize gave the same type. */
  private int rewriteAndCompare(String reference, GgmlType type) {
    LoadedWeights loaded = new GgufModelReader().read(fixture("stories260K-f32.gguf"));
    try {
      Tokenizer tok = Tokenizers.fromGgufMetadata(loaded.metadata());
      Path out = dir.resolve("out-" + type + ".gguf");
      GgufModelWriter.write(out, loaded.config(), loaded.weights(), tok, type);
      int compared = 0;
      try (GgufFile mine = GgufFile.open(out); GgufFile theirs = GgufFile.open(fixture(reference))) {
        for (GgufTensorInfo t : theirs.tensors().values()) {
          GgufTensorInfo m = mine.tensor(t.name()).orElseThrow(() -> new AssertionError("missing tensor " + t.name()));
          assertThat(m.dims()).as(t.name()).containsExactly(t.dims());
          if (m.type() == t.type()) {
            assertThat(bytes(mine, m)).as("%s (%s)", t.name(), t.type()).isEqualTo(bytes(theirs, t));
            compared++;
          }
        }
        Map<String, Object> a = mine.metadata();
        Map<String, Object> b = theirs.metadata();
        for (String key : List.of("general.architecture", "llama.block_count", "llama.embedding_length", "llama.feed_forward_length",
            "llama.attention.head_count", "llama.attention.head_count_kv", "llama.context_length", "llama.rope.dimension_count",
            "tokenizer.ggml.model", "tokenizer.ggml.tokens", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id")) {
          assertThat(a.get(key)).as(key).isEqualTo(b.get(key));
        }
        assertThat((float[]) a.get("tokenizer.ggml.scores")).containsExactly((float[]) b.get("tokenizer.ggml.scores"));
        assertThat((int[]) a.get("tokenizer.ggml.token_type")).containsExactly((int[]) b.get("tokenizer.ggml.token_type"));
        assertThat(((Number) a.get("llama.attention.layer_norm_rms_epsilon")).floatValue())
            .isEqualTo(((Number) b.get("llama.attention.layer_norm_rms_epsilon")).floatValue());
      }
      return compared;
    } finally {
      close(loaded);
    }
  }

  static void close(LoadedWeights loaded) {
    try {
      loaded.resources().close();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void f32MatchesLlamaCppsConversion() {
    assertThat(rewriteAndCompare("stories260K-f32.gguf", GgmlType.F32)).isEqualTo(48);
  }

  @Test
  void f16MatchesLlamaQuantize() {
    assertThat(rewriteAndCompare("stories260K-f16.gguf", GgmlType.F16)).isEqualTo(48);
  }

  @Test
  void q8_0MatchesLlamaQuantizeBitForBit() {
    // every tensor: Q8_0 matrices, the F16 fallback for ffn_down (rows of 172), F32 norms
    assertThat(rewriteAndCompare("stories260K-q8_0.gguf", GgmlType.Q8_0)).isEqualTo(48);
  }

  @Test
  void q4_0MatchesLlamaQuantizeBitForBit() {
    // all but output.weight, which llama-quantize makes Q8_0
    assertThat(rewriteAndCompare("stories260K-q4_0.gguf", GgmlType.Q4_0)).isEqualTo(47);
  }

  @Test
  void llama2cCheckpointBecomesTheSameWeightsAndVocabulary() {
    LoadedWeights loaded = new Llama2cReader().read(fixture("stories260K.bin"));
    try {
      Tokenizer tok = Tokenizers.fromLlama2cFile(fixture("tok512-ids.bin"), loaded.config().vocabSize());
      Path out = dir.resolve("from-llama2c.gguf");
      GgufModelWriter.write(out, loaded.config(), loaded.weights(), tok, GgmlType.F32);
      try (GgufFile mine = GgufFile.open(out); GgufFile theirs = GgufFile.open(fixture("stories260K-f32.gguf"))) {
        for (GgufTensorInfo t : theirs.tensors().values()) {
          // the converter writes a copy of the embedding as output.weight; a tied model needs none
          GgufTensorInfo m = mine.tensor(t.name().equals("output.weight") ? "token_embd.weight" : t.name()).orElseThrow();
          assertThat(bytes(mine, m)).as(t.name()).isEqualTo(bytes(theirs, t));
        }
        assertThat(mine.metadata().get("tokenizer.ggml.tokens")).isEqualTo(theirs.metadata().get("tokenizer.ggml.tokens"));
        Tokenizer back = Tokenizers.fromGgufMetadata(mine.metadata());
        assertThat(back.decode(new int[] {1, 300, 301, 3 + 'x', 3 + 0xC3, 3 + 0xA9})).isEqualTo(tok.decode(new int[] {1, 300, 301, 3 + 'x', 3 + 0xC3, 3 + 0xA9}))
            .isEqualTo("t300 t301xé");
        // Spelled with '▁', a space that merges into no piece falls back to the bytes of '▁' (as in llama.cpp),
        // while the llama2.c spelling falls back to the byte of ' '; text without spaces encodes alike.
        assertThat(back.encode("x", false)).containsExactly(3 + 0xE2, 3 + 0x96, 3 + 0x81, 3 + 'x');
        assertThat(tok.encode("x", false)).containsExactly(3 + ' ', 3 + 'x');
      }
    } finally {
      close(loaded);
    }
  }

  @Test
  void writesTheLlamaCppPreTokenizerItRead() throws Exception {
    Path vocab = Path.of(getClass().getResource("/tokenizer/llama-cpp/bpe-vocab.gguf").toURI());
    Map<String, Object> m;
    try (GgufFile f = GgufFile.open(vocab)) {
      m = new java.util.HashMap<>(f.metadata());
    }
    String text = "tilde~word DON'Tstop 12345 \u65e5\u672c";
    // every name of a type is written as the name llama.cpp's converter gives the type
    for (String pre : List.of("deepseek-v3", "tekken", "jina-v2-code", "megrez", "falcon3")) {
      m.put("tokenizer.ggml.pre", pre);
      Tokenizer tok = Tokenizers.fromGgufMetadata(m);
      GgufWriter w = new GgufWriter();
      GgufModelWriter.putTokenizer(w, tok, tok.vocabSize());
      Path out = dir.resolve(pre + ".gguf");
      w.write(out);
      try (GgufFile back = GgufFile.open(out)) {
        String written = switch (pre) {
          case "jina-v2-code" -> "gpt-2";
          case "megrez" -> "qwen2";
          case "falcon3" -> "llama-bpe";
          default -> pre;
        };
        assertThat(back.metadata().get("tokenizer.ggml.pre")).as(pre).isEqualTo(written);
        assertThat(Tokenizers.fromGgufMetadata(back.metadata()).encode(text, true)).as(pre).containsExactly(tok.encode(text, true));
      }
    }
  }
}
