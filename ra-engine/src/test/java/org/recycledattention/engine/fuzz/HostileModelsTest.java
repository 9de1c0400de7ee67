package org.recycledattention.engine.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.recycledattention.api.RaException;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.format.LayerWeights;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.format.safetensors.SafetensorsWriter;
import org.recycledattention.model.format.gguf.writer.GgufModelWriter;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.tensor.GgmlType;
import org.recycledattention.model.testing.RandomModels;

/**
 * Model files whose every field is in range but whose fields disagree (issue 17, items 3, 6 and 9):
 * each is refused at load with a one-line {@link ModelFormatException} (exit 2), never loaded and
 * left to fail (or to compute nonsense) while decoding.
 */
class HostileModelsTest {
  private static final ModelConfig TWO_LAYERS = Seeds.TWO_LAYERS;

  @TempDir
  Path dir;

  private static byte[] gguf(ModelConfig config, ModelConfig written, org.recycledattention.model.tokenizer.Tokenizer tokenizer) {
    try (LlamaModel m = RandomModels.random(config, 3)) {
      return Seeds.writeTemp(p -> GgufModelWriter.write(p, written, m.weights(), tokenizer, GgmlType.F32));
    }
  }

  private static byte[] gguf() {
    return gguf(TWO_LAYERS, TWO_LAYERS, null);
  }

  private ModelFormatException refused(String name, byte[] bytes) throws IOException {
    Path p = Files.write(dir.resolve(name), bytes);
    return refusedAt(p, p);
  }

  private static ModelFormatException refusedAt(Path model, Path named) {
    Throwable t = catchThrowable(() -> FuzzSupport.loader().load(model).close());
    assertThat(t).as("loading %s", model).isInstanceOf(ModelFormatException.class);
    ModelFormatException e = (ModelFormatException) t;
    assertThat(e.exitCode()).isEqualTo(RaException.USAGE_ERROR);
    assertThat(e.file()).isEqualTo(named);
    assertThat(e.getMessage()).doesNotContain("\n");
    return e;
  }

  // ------------------------------------------------------------------ item 3: products of header values

  @Test
  void ggufHeadsTimesKeyLengthThatWrapsToTheTensorWidthIsRefused() throws IOException {
    // 8 heads x (2^29 + 1) = 2^32 + 8, which wraps to 8, the width of the q and k projections
    byte[] b = new ModelBytes.Gguf(gguf()).u32("llama.attention.head_count", 8).u32("llama.attention.head_count_kv", 8)
        .u32("llama.attention.key_length", (1L << 29) + 1).u32("llama.rope.dimension_count", (1L << 29) + 1).bytes();
    assertThat(refused("wrap.gguf", b)).hasMessageContaining("llama.attention.key_length").hasMessageContaining("536870913");
  }

  @Test
  void safetensorsHeadsTimesHeadDimThatWrapsIsRefused() throws IOException {
    Path model = Files.createDirectories(dir.resolve("hf"));
    Files.write(model.resolve("model.safetensors"), Seeds.safetensors());
    // 2 heads x (2^31 - 4) wraps to -8; 8 heads x (2^29 + 2) wraps to 16: every product is checked
    Files.writeString(model.resolve("config.json"), Seeds.CONFIG_JSON.replace("\"num_attention_heads\": 2", "\"num_attention_heads\": 2, \"head_dim\": 1073741828"));
    assertThat(refusedAt(model, model.resolve("config.json"))).hasMessageContaining("head_dim").hasMessageContaining("1073741828");
  }

  // ------------------------------------------------------------------ item 6: vocabulary sizes

  @Test
  void ggufTokenizerSmallerThanTheEmbeddingIsRefused() throws IOException {
    // 16 tokens in tokenizer.ggml.tokens, 32 rows in token_embd.weight
    ModelConfig wide = new ModelConfig("llama", 8, 16, 1, 2, 1, 4, 32, 32, 1e-5f, 10000f, true, null, false, true);
    byte[] b = gguf(wide, Seeds.CONFIG, Seeds.spmTokenizer());
    assertThat(refused("vocab.gguf", b)).hasMessageContaining("16 tokens").hasMessageContaining("32");
  }

  @Test
  void ggufTokenizerLargerThanTheEmbeddingIsRefused() throws IOException {
    ModelConfig narrow = new ModelConfig("llama", 8, 16, 1, 2, 1, 4, 12, 32, 1e-5f, 10000f, true, null, false, true);
    byte[] b;
    try (LlamaModel m = RandomModels.random(narrow, 3)) {
      // the writer pads the vocabulary to the config's size: write the 16-token tokenizer over a 12-row embedding
      b = Seeds.writeTemp(p -> GgufModelWriter.write(p, Seeds.CONFIG, m.weights(), Seeds.spmTokenizer(), GgmlType.F32));
    }
    assertThat(refused("vocab.gguf", b)).hasMessageContaining("16 tokens").hasMessageContaining("12");
  }

  @Test
  void safetensorsTokenizerSmallerThanTheEmbeddingIsPaddedAsHuggingFacePadsIt() throws IOException {
    Path model = Files.createDirectories(dir.resolve("hf"));
    Files.writeString(model.resolve("config.json"), Seeds.CONFIG_JSON);
    Files.write(model.resolve("model.safetensors"), Seeds.safetensors());
    Files.writeString(model.resolve("tokenizer.json"), Seeds.sentencePieceTokenizerJson()); // 11 tokens, 16 embedding rows
    try (LlamaModel m = FuzzSupport.loader().load(model)) {
      var t = m.tokenizer().orElseThrow();
      assertThat(t.vocabSize()).isEqualTo(16);
      assertThat(t.decode(new int[] {15})).isEmpty();
      Decoding.decodeWithEveryPolicy(m);
    }
  }

  // ------------------------------------------------------------------ item 9: accepted silently before

  @Test
  void ggufTensorsWhoseDataOverlapAreRefused() throws IOException {
    byte[] b = new ModelBytes.Gguf(gguf()).sameDataAs("blk.1.ffn_norm.weight", "blk.1.attn_norm.weight").bytes();
    assertThat(refused("overlap.gguf", b)).hasMessageContaining("blk.1.ffn_norm.weight").hasMessageContaining("blk.1.attn_norm.weight")
        .hasMessageContaining("overlap");
  }

  @Test
  void safetensorsTensorsWhoseDataOverlapAreRefused() throws IOException {
    Path model = Files.createDirectories(dir.resolve("hf"));
    Files.writeString(model.resolve("config.json"), Seeds.CONFIG_JSON);
    byte[] b = ModelBytes.safetensors(Seeds.safetensors(), h -> ((ObjectNode) h.get("model.norm.weight"))
        .set("data_offsets", h.get("model.layers.0.input_layernorm.weight").get("data_offsets").deepCopy()));
    Path file = Files.write(model.resolve("model.safetensors"), b);
    assertThat(refusedAt(model, file)).hasMessageContaining("model.norm.weight").hasMessageContaining("overlap");
  }

  @Test
  void ggufBlockCountBelowTheLayersInTheFileIsRefused() throws IOException {
    byte[] b = new ModelBytes.Gguf(gguf()).u32("llama.block_count", 1).bytes();
    assertThat(refused("layers.gguf", b)).hasMessageContaining("llama.block_count").hasMessageContaining("blk.1");
  }

  @Test
  void safetensorsLayerCountBelowTheLayersInTheFileIsRefused() throws IOException {
    Path model = Files.createDirectories(dir.resolve("hf"));
    Files.writeString(model.resolve("config.json"), Seeds.CONFIG_JSON.replace("\"num_key_value_heads\": 1", "\"num_key_value_heads\": 2"));
    try (LlamaModel m = RandomModels.random(TWO_LAYERS, 3)) {
      SafetensorsWriter w = new SafetensorsWriter();
      w.add("model.embed_tokens.weight", "F32", m.weights().tokenEmbedding().toArray(), 16, 8);
      for (int l = 0; l < 2; l++) {
        LayerWeights lw = m.weights().layers().get(l);
        String p = "model.layers." + l + ".";
        w.add(p + "input_layernorm.weight", "F32", lw.attnNorm().toArray(), 8);
        w.add(p + "self_attn.q_proj.weight", "F32", lw.wq().toArray(), 8, 8);
        w.add(p + "self_attn.k_proj.weight", "F32", lw.wk().toArray(), 8, 8);
        w.add(p + "self_attn.v_proj.weight", "F32", lw.wv().toArray(), 8, 8);
        w.add(p + "self_attn.o_proj.weight", "F32", lw.wo().toArray(), 8, 8);
        w.add(p + "post_attention_layernorm.weight", "F32", lw.ffnNorm().toArray(), 8);
        w.add(p + "mlp.gate_proj.weight", "F32", lw.gate().toArray(), 16, 8);
        w.add(p + "mlp.down_proj.weight", "F32", lw.down().toArray(), 8, 16);
        w.add(p + "mlp.up_proj.weight", "F32", lw.up().toArray(), 16, 8);
      }
      w.add("model.norm.weight", "F32", m.weights().outputNorm().toArray(), 8);
      w.write(model.resolve("model.safetensors"));
    }
    // config.json says 1 layer (num_hidden_layers), the file holds 2
    assertThat(refusedAt(model, model.resolve("config.json"))).hasMessageContaining("num_hidden_layers").hasMessageContaining("model.layers.1");
  }

  @Test
  void safetensorsShapeThatIsNotAnIntegerIsRefused() throws IOException {
    Path model = Files.createDirectories(dir.resolve("hf"));
    Files.writeString(model.resolve("config.json"), Seeds.CONFIG_JSON);
    byte[] b = ModelBytes.safetensors(Seeds.safetensors(), h -> {
      ArrayNode shape = ((ObjectNode) h.get("model.norm.weight")).putArray("shape");
      shape.add(8.5);
    });
    Path file = Files.write(model.resolve("model.safetensors"), b);
    assertThat(refusedAt(model, file)).hasMessageContaining("model.norm.weight").hasMessageContaining("8.5");
  }

  @ParameterizedTest
  @ValueSource(floats = {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, 0f, -10000f})
  void ggufRopeFreqBaseThatIsNotAPositiveNumberIsRefused(float base) throws IOException {
    byte[] b = new ModelBytes.Gguf(gguf()).f32("llama.rope.freq_base", base).bytes();
    assertThat(refused("rope.gguf", b)).hasMessageContaining("llama.rope.freq_base");
  }

  @ParameterizedTest
  @ValueSource(floats = {Float.NaN, Float.POSITIVE_INFINITY, 0f, -1e-5f})
  void ggufNormEpsilonThatIsNotAPositiveNumberIsRefused(float eps) throws IOException {
    byte[] b = new ModelBytes.Gguf(gguf()).f32("llama.attention.layer_norm_rms_epsilon", eps).bytes();
    assertThat(refused("eps.gguf", b)).hasMessageContaining("llama.attention.layer_norm_rms_epsilon");
  }

  @Test
  void ggufHeadDimensionOfOneIsRefusedAsForSafetensors() throws IOException {
    // 8 heads of 1 and 8 KV heads of 1 fill the 8-wide projections exactly; RoPE needs pairs
    byte[] b = new ModelBytes.Gguf(gguf()).u32("llama.attention.head_count", 8).u32("llama.attention.head_count_kv", 8)
        .u32("llama.attention.key_length", 1).u32("llama.rope.dimension_count", 1).bytes();
    assertThat(refused("head1.gguf", b)).hasMessageContaining("llama.attention.key_length").hasMessageContaining("even");
  }
}
