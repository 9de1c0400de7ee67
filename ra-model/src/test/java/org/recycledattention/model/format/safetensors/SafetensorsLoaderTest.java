package org.recycledattention.model.format.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.format.LoadedWeights;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.format.ModelFormat;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.load.ModelTokenizers;
import org.recycledattention.model.tensor.FloatTensor;
import org.recycledattention.model.tensor.GgmlType;
import org.recycledattention.model.testing.Loaders;

class SafetensorsLoaderTest {
  static final int DIM = 64;
  static final int HEADS = 4;
  static final int KV_HEADS = 2;
  static final int HEAD_DIM = 16;
  static final int FFN = 96;
  static final int LAYERS = 2;
  static final int VOCAB = 40;

  @TempDir Path dir;

  /** name -> {values, shape}; HF names and [out, in] shapes. */
  static Map<String, Object[]> tinyWeights(long seed, boolean qkvBias, boolean lmHead) {
    Random rnd = new Random(seed);
    Map<String, Object[]> w = new LinkedHashMap<>();
    java.util.function.BiConsumer<String, long[]> add = (name, shape) -> {
      int n = (int) (shape.length == 1 ? shape[0] : shape[0] * shape[1]);
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = (float) rnd.nextGaussian() * 0.2f;
      }
      w.put(name, new Object[] {v, shape});
    };
    add.accept("model.embed_tokens.weight", new long[] {VOCAB, DIM});
    for (int l = 0; l < LAYERS; l++) {
      String p = "model.layers." + l + ".";
      add.accept(p + "input_layernorm.weight", new long[] {DIM});
      add.accept(p + "self_attn.q_proj.weight", new long[] {HEADS * HEAD_DIM, DIM});
      add.accept(p + "self_attn.k_proj.weight", new long[] {KV_HEADS * HEAD_DIM, DIM});
      add.accept(p + "self_attn.v_proj.weight", new long[] {KV_HEADS * HEAD_DIM, DIM});
      if (qkvBias) {
        add.accept(p + "self_attn.q_proj.bias", new long[] {HEADS * HEAD_DIM});
        add.accept(p + "self_attn.k_proj.bias", new long[] {KV_HEADS * HEAD_DIM});
        add.accept(p + "self_attn.v_proj.bias", new long[] {KV_HEADS * HEAD_DIM});
      }
      add.accept(p + "self_attn.o_proj.weight", new long[] {DIM, HEADS * HEAD_DIM});
      add.accept(p + "post_attention_layernorm.weight", new long[] {DIM});
      add.accept(p + "mlp.gate_proj.weight", new long[] {FFN, DIM});
      add.accept(p + "mlp.up_proj.weight", new long[] {FFN, DIM});
      add.accept(p + "mlp.down_proj.weight", new long[] {DIM, FFN});
    }
    add.accept("model.norm.weight", new long[] {DIM});
    if (lmHead) {
      add.accept("lm_head.weight", new long[] {VOCAB, DIM});
    }
    return w;
  }

  static String config(String arch, boolean tied, String extra) {
    return "{\"architectures\": [\"" + arch + "\"], \"hidden_size\": " + DIM + ", \"intermediate_size\": " + FFN + ", \"num_hidden_layers\": " + LAYERS
        + ", \"num_attention_heads\": " + HEADS + ", \"num_key_value_heads\": " + KV_HEADS + ", \"head_dim\": " + HEAD_DIM
        + ", \"rms_norm_eps\": 1e-05, \"rope_theta\": 500000.0, \"max_position_embeddings\": 256, \"vocab_size\": " + VOCAB
        + ", \"tie_word_embeddings\": " + tied + extra + "}";
  }

  static void write(Path dir, Map<String, Object[]> weights, String dtype, int shards) throws IOException {
    SafetensorsWriter[] writers = new SafetensorsWriter[shards];
    for (int i = 0; i < shards; i++) {
      writers[i] = new SafetensorsWriter();
    }
    Map<String, String> weightMap = new LinkedHashMap<>();
    int i = 0;
    for (Map.Entry<String, Object[]> e : weights.entrySet()) {
      int s = i++ % shards;
      // norms stay F32, as many checkpoints keep them
      String dt = ((long[]) e.getValue()[1]).length == 1 && e.getKey().contains("norm") ? "F32" : dtype;
      writers[s].add(e.getKey(), dt, (float[]) e.getValue()[0], (long[]) e.getValue()[1]);
      weightMap.put(e.getKey(), shardName(s, shards));
    }
    for (int s = 0; s < shards; s++) {
      writers[s].write(dir.resolve(shardName(s, shards)));
    }
    if (shards > 1) {
      Files.writeString(dir.resolve("model.safetensors.index.json"),
          new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of("metadata", Map.of(), "weight_map", weightMap)));
    }
  }

  static String shardName(int s, int shards) {
    return shards == 1 ? "model.safetensors" : String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
  }

  static void assertTensor(FloatTensor t, Object[] expected, String dtype) {
    float[] values = (float[]) expected[0];
    float[] actual = t.toArray();
    assertThat(actual).hasSize(values.length);
    for (int i = 0; i < values.length; i++) {
      assertThat(actual[i]).as("%s[%d]", t.name(), i).isEqualTo(SafetensorsWriter.stored(dtype, values[i]));
    }
    long[] shape = (long[]) expected[1];
    assertThat(t.rows()).isEqualTo(shape.length == 1 ? 1 : shape[0]);
  }

  @Test
  void readsASingleFileLlamaCheckpoint() throws Exception {
    long seed = 42;
    Map<String, Object[]> w = tinyWeights(seed, false, true);
    write(dir, w, "BF16", 1);
    Files.writeString(dir.resolve("config.json"), config("LlamaForCausalLM", false,
        ", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 32.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 8192}"));
    LoadedWeights loaded = SafetensorsLoader.load(dir);
    try {
      ModelConfig c = loaded.config();
      assertThat(c).isEqualTo(new ModelConfig("llama", DIM, FFN, LAYERS, HEADS, KV_HEADS, HEAD_DIM, VOCAB, 256, 1e-5f, 500000f, false,
          new ModelConfig.RopeScaling(32f, 1f, 4f, 8192), false, false));
      assertThat(loaded.format()).isEqualTo(ModelFormat.SAFETENSORS);
      assertThat(loaded.description()).contains("safetensors llama", "BF16");
      assertThat(loaded.weights().layers().get(1).wq().type()).isEqualTo(GgmlType.BF16);
      assertTensor(loaded.weights().tokenEmbedding(), w.get("model.embed_tokens.weight"), "BF16");
      assertTensor(loaded.weights().output(), w.get("lm_head.weight"), "BF16");
      assertTensor(loaded.weights().layers().get(1).wk(), w.get("model.layers.1.self_attn.k_proj.weight"), "BF16");
      assertTensor(loaded.weights().layers().get(0).down(), w.get("model.layers.0.mlp.down_proj.weight"), "BF16");
      assertTensor(loaded.weights().layers().get(0).attnNorm(), w.get("model.layers.0.input_layernorm.weight"), "F32");
      assertThat(loaded.metadata()).containsEntry("hidden_size", DIM);
    } finally {
      loaded.resources().close();
    }
  }

  @Test
  void readsShardedQwen2WithBiasesAndTiedEmbeddings() throws Exception {
    Map<String, Object[]> w = tinyWeights(7, true, false);
    write(dir, w, "F16", 3);
    Files.writeString(dir.resolve("config.json"), config("Qwen2ForCausalLM", true, ""));
    LoadedWeights loaded = SafetensorsLoader.load(dir);
    try {
      ModelConfig c = loaded.config();
      assertThat(c.architecture()).isEqualTo("qwen2");
      assertThat(c.qkvBias()).isTrue();
      assertThat(c.tiedOutput()).isTrue();
      assertThat(c.ropeInterleaved()).isFalse();
      assertThat(loaded.weights().output()).isSameAs(loaded.weights().tokenEmbedding());
      assertTensor(loaded.weights().layers().get(1).bk(), w.get("model.layers.1.self_attn.k_proj.bias"), "F16");
      assertTensor(loaded.weights().layers().get(1).up(), w.get("model.layers.1.mlp.up_proj.weight"), "F16");
      assertThat(loaded.description()).contains("3 shards");
    } finally {
      loaded.resources().close();
    }
  }

  @Test
  void modelLoaderBuildsAModelWithItsTokenizer() throws IOException {
    write(dir, tinyWeights(3, false, true), "F32", 1);
    Files.writeString(dir.resolve("config.json"), config("MistralForCausalLM", false, ""));
    // A byte-level tokenizer.json whose vocabulary is the 40 first byte characters.
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (int i = 0; i < VOCAB; i++) {
      vocab.put(String.valueOf((char) ('A' + i)), i);
    }
    new com.fasterxml.jackson.databind.ObjectMapper().writeValue(dir.resolve("tokenizer.json").toFile(),
        Map.of("pre_tokenizer", Map.of("type", "ByteLevel"), "model", Map.of("type", "BPE", "vocab", vocab, "merges", List.of())));
    try (LlamaModel model = Loaders.formats().withTokenizers(new ModelTokenizers()).load(dir)) {
      assertThat(model.config().architecture()).isEqualTo("mistral");
      assertThat(model.tokenizer()).isPresent();
      assertThat(model.tokenizer().get().encode("BCD", false)).containsExactly(1, 2, 3);
    }
  }

  @Test
  void aSlidingWindowCapsTheContextUnlessItIsOff() throws Exception {
    write(dir, tinyWeights(13, false, true), "F32", 1);
    Files.writeString(dir.resolve("config.json"), config("MistralForCausalLM", false, ", \"sliding_window\": 128"));
    LoadedWeights mistral = SafetensorsLoader.load(dir);
    try {
      assertThat(mistral.config().contextLength()).isEqualTo(128);
    } finally {
      mistral.resources().close();
    }
    Files.writeString(dir.resolve("config.json"), config("Qwen2ForCausalLM", false, ", \"sliding_window\": 128, \"use_sliding_window\": false"));
    LoadedWeights qwen = SafetensorsLoader.load(dir);
    try {
      assertThat(qwen.config().contextLength()).isEqualTo(256);
    } finally {
      qwen.resources().close();
    }
  }

  @Test
  void aSingleFileCanBeNamedDirectly() throws Exception {
    write(dir, tinyWeights(5, false, true), "F32", 1);
    Files.writeString(dir.resolve("config.json"), config("LlamaForCausalLM", false, ""));
    LoadedWeights loaded = SafetensorsLoader.load(dir.resolve("model.safetensors"));
    try {
      assertThat(loaded.config().layers()).isEqualTo(LAYERS);
    } finally {
      loaded.resources().close();
    }
  }

  @Test
  void rejectsHeadersAndOffsetsThatDoNotFitTheFile() throws IOException {
    Files.writeString(dir.resolve("config.json"), config("LlamaForCausalLM", false, ""));
    Path file = dir.resolve("model.safetensors");
    // header length larger than the file
    Files.write(file, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
    assertThatThrownBy(() -> SafetensorsLoader.load(dir)).isInstanceOf(ModelFormatException.class).hasMessageContaining("header length is 1099511627776");
    // data_offsets past the end
    new SafetensorsWriter().addRaw("model.embed_tokens.weight", "F32", new byte[16], 2, 2).write(file);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 4));
    assertThatThrownBy(() -> SafetensorsLoader.load(dir)).isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("data_offsets [0, 16] but the data section has 12 bytes");
    // byte count disagrees with dtype x shape
    new SafetensorsWriter().addRaw("model.embed_tokens.weight", "F32", new byte[12], 2, 2).write(file);
    assertThatThrownBy(() -> SafetensorsLoader.load(dir)).isInstanceOf(ModelFormatException.class).hasMessageContaining("needs 16 bytes but data_offsets give 12");
    // not JSON
    Files.write(file, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(4).put("{{{{".getBytes()).array());
    assertThatThrownBy(() -> SafetensorsLoader.load(dir)).isInstanceOf(ModelFormatException.class).hasMessageContaining("not valid JSON");
  }

  @Test
  void rejectsUnsupportedDtypesMissingTensorsAndEscapingShards() throws IOException {
    Map<String, Object[]> w = tinyWeights(9, false, true);
    write(dir, w, "F32", 1);
    Files.writeString(dir.resolve("config.json"), config("LlamaForCausalLM", false, ""));
    SafetensorsWriter bad = new SafetensorsWriter();
    w.forEach((name, v) -> {
      if (name.equals("model.norm.weight")) {
        bad.addRaw(name, "I64", new byte[DIM * 8], DIM);
      } else {
        bad.add(name, "F32", (float[]) v[0], (long[]) v[1]);
      }
    });
    bad.write(dir.resolve("model.safetensors"));
    assertThatThrownBy(() -> SafetensorsLoader.load(dir)).isInstanceOf(ModelFormatException.class).hasMessageContaining("'model.norm.weight' has dtype I64");

    SafetensorsWriter missing = new SafetensorsWriter();
    w.forEach((name, v) -> {
      if (!name.equals("model.layers.1.mlp.up_proj.weight")) {
        missing.add(name, "F32", (float[]) v[0], (long[]) v[1]);
      }
    });
    missing.write(dir.resolve("model.safetensors"));
    assertThatThrownBy(() -> SafetensorsLoader.load(dir)).isInstanceOf(ModelFormatException.class).hasMessageContaining("'model.layers.1.mlp.up_proj.weight'");

    Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"model.norm.weight\": \"../outside.safetensors\"}}");
    assertThatThrownBy(() -> SafetensorsLoader.load(dir)).isInstanceOf(ModelFormatException.class).hasMessageContaining("../outside.safetensors");
    Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"model.norm.weight\": \"a\\u0000b.safetensors\"}}");
    assertThatThrownBy(() -> SafetensorsLoader.load(dir)).isInstanceOf(ModelFormatException.class).hasMessageContaining("not a valid file name");
  }

  @Test
  void rejectsUnsupportedConfigs() throws IOException {
    write(dir, tinyWeights(11, false, true), "F32", 1);
    Files.writeString(dir.resolve("config.json"), config("GPT2LMHeadModel", false, "").replace("\"architectures\"", "\"model_type\": \"gpt2\", \"architectures\""));
    assertThatThrownBy(() -> SafetensorsLoader.load(dir)).isInstanceOf(ModelFormatException.class).hasMessageContaining("model_type is 'gpt2'");
    Files.writeString(dir.resolve("config.json"), config("LlamaForCausalLM", false, ", \"rope_scaling\": {\"type\": \"yarn\", \"factor\": 4.0}"));
    assertThatThrownBy(() -> SafetensorsLoader.load(dir)).isInstanceOf(ModelFormatException.class).hasMessageContaining("rope_scaling type 'yarn'");
    Files.writeString(dir.resolve("config.json"), config("LlamaForCausalLM", false, "").replace("\"hidden_size\": 64", "\"hidden_size\": 48"));
    assertThatThrownBy(() -> SafetensorsLoader.load(dir)).isInstanceOf(ModelFormatException.class).hasMessageContaining("model.embed_tokens.weight");
    Files.delete(dir.resolve("config.json"));
    assertThatThrownBy(() -> SafetensorsLoader.load(dir)).isInstanceOf(ModelFormatException.class).hasMessageContaining("config.json is missing");
    assertThat(List.of(dir.toFile().list())).contains("model.safetensors");
  }
}
