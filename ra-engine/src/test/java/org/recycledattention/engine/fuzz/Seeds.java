package org.recycledattention.engine.fuzz;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.recycledattention.model.format.LayerWeights;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.format.gguf.writer.GgufModelWriter;
import org.recycledattention.model.format.llama2c.Llama2cReader;
import org.recycledattention.model.format.safetensors.SafetensorsWriter;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.tensor.FloatTensor;
import org.recycledattention.model.tensor.GgmlType;
import org.recycledattention.model.testing.RandomModels;
import org.recycledattention.model.tokenizer.Tokenizer;
import org.recycledattention.model.tokenizer.Tokenizers;

/**
 * Tiny valid model files (seeds for the fuzzers and fixtures beside the fuzzed file) and the
 * hand-made hostile inputs, all generated here so that nothing is copied from real models.
 *
 * <p>The tiny model: Llama, dim 8, ffn 16, 1 layer, 2 heads of 4, 1 KV head, vocabulary 16,
 * context 32, tied output. {@link #main} rewrites the committed seed corpus under {@code
 * src/test/resources/org/recycledattention/engine/fuzz/*Inputs/*}.
 */
final class Seeds {
  static final ModelConfig CONFIG = new ModelConfig("llama", 8, 16, 1, 2, 1, 4, 16, 32, 1e-5f, 10000f, true, null, false, true);
  /** The HF config.json of {@link #CONFIG}. */
  static final String CONFIG_JSON = """
      {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 8, "intermediate_size": 16,
       "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1, "vocab_size": 16,
       "max_position_embeddings": 32, "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "tie_word_embeddings": true,
       "bos_token_id": 1, "eos_token_id": 2}
      """;
  /** SentencePiece pieces of the tiny vocabulary, spaces spelled as in llama2.c (plain ' '). */
  static final List<String> PIECES = List.of("<unk>", "<s>", "</s>", "<0x0A>", " ", "a", "b", "c", "l", "o", "H", "e", " a", "ab", "lo", " H");

  private Seeds() {}

  // ---------------------------------------------------------------- valid files

  static LlamaModel tinyModel() {
    return RandomModels.random(CONFIG, 7);
  }

  /** A llama2.c tokenizer.bin of {@link #PIECES} (no vocab-size prefix). */
  static byte[] tokenizerBin() {
    Le b = new Le();
    b.i32(3);
    for (int i = 0; i < PIECES.size(); i++) {
      byte[] p = PIECES.get(i).getBytes(StandardCharsets.UTF_8);
      b.f32(i < 4 ? 0 : -i);
      b.i32(p.length);
      b.bytes(p);
    }
    return b.toArray();
  }

  static Tokenizer spmTokenizer() {
    return inTemp("tokenizer.bin", tokenizerBin(), p -> Tokenizers.fromLlama2cFile(p, PIECES.size()));
  }

  /** A byte-level BPE tokenizer.json (GPT-2 style, ByteLevel pre-tokenizer) of 16 tokens. */
  static String byteLevelTokenizerJson() {
    return """
        {"version": "1.0", "added_tokens": [{"id": 15, "content": "<|endoftext|>", "special": true}], "normalizer": null,
         "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
         "post_processor": null, "decoder": {"type": "ByteLevel"},
         "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null, "end_of_word_suffix": null,
           "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
           "vocab": {"H": 0, "e": 1, "l": 2, "o": 3, "\\u0120": 4, "w": 5, "He": 6, "ll": 7, "llo": 8, "\\u0120w": 9, "r": 10, "d": 11, ",": 12, "Hello": 13, "\\u010a": 14},
           "merges": ["H e", "l l", "ll o", "\\u0120 w", "He llo"]}}
        """;
  }

  /** A Llama-3 style tokenizer.json: Sequence of a Split regex and ByteLevel, TemplateProcessing with BOS. */
  static String splitRegexTokenizerJson() {
    return """
        {"added_tokens": [{"id": 6, "content": "<|begin_of_text|>", "special": true}, {"id": 7, "content": "<|eot_id|>", "special": true}],
         "normalizer": null,
         "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
           {"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}{1,3}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+"}, "behavior": "Isolated", "invert": false},
           {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]},
         "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}]},
         "model": {"type": "BPE", "ignore_merges": true, "vocab": {"a": 0, "b": 1, "ab": 2, "\\u0120": 3, "\\u0120ab": 4, "1": 5},
           "merges": [["a", "b"], ["\\u0120", "ab"]]}}
        """;
  }

  /** A SentencePiece-converted tokenizer.json (Llama 2 style: byte_fallback, Prepend/Replace normalizer). */
  static String sentencePieceTokenizerJson() {
    return """
        {"added_tokens": [{"id": 0, "content": "<unk>", "special": true}, {"id": 1, "content": "<s>", "special": true}, {"id": 2, "content": "</s>", "special": true}],
         "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\\u2581"}, {"type": "Replace", "pattern": {"String": " "}, "content": "\\u2581"}]},
         "pre_tokenizer": null,
         "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}]},
         "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": true, "fuse_unk": true,
           "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "<0x0A>": 3, "<0x41>": 4, "\\u2581": 5, "a": 6, "b": 7, "\\u2581a": 8, "ab": 9, "\\u2581ab": 10},
           "merges": ["\\u2581 a", "a b", "\\u2581a b"]}}
        """;
  }

  /** The tiny model as GGUF, matrices of {@code type}, with {@code tokenizer} (may be null). */
  static byte[] gguf(GgmlType type, Tokenizer tokenizer) {
    try (LlamaModel m = tinyModel()) {
      return writeTemp(p -> GgufModelWriter.write(p, CONFIG, m.weights(), tokenizer, type));
    }
  }

  /** HF names and [rows, cols] shapes of the tiny model's tensors, F32. */
  static Map<String, FloatTensor> hfTensors() {
    try (LlamaModel m = tinyModel()) {
      Map<String, FloatTensor> t = new LinkedHashMap<>();
      t.put("model.embed_tokens.weight", m.weights().tokenEmbedding());
      LayerWeights l = m.weights().layers().get(0);
      String p = "model.layers.0.";
      t.put(p + "input_layernorm.weight", l.attnNorm());
      t.put(p + "self_attn.q_proj.weight", l.wq());
      t.put(p + "self_attn.k_proj.weight", l.wk());
      t.put(p + "self_attn.v_proj.weight", l.wv());
      t.put(p + "self_attn.o_proj.weight", l.wo());
      t.put(p + "post_attention_layernorm.weight", l.ffnNorm());
      t.put(p + "mlp.gate_proj.weight", l.gate());
      t.put(p + "mlp.down_proj.weight", l.down());
      t.put(p + "mlp.up_proj.weight", l.up());
      t.put("model.norm.weight", m.weights().outputNorm());
      return t;
    }
  }

  /** A safetensors file with the tensors of {@link #hfTensors()} whose names pass {@code filter}, in {@code dtype}. */
  static byte[] safetensors(String dtype, java.util.function.Predicate<String> filter) {
    SafetensorsWriter w = new SafetensorsWriter();
    hfTensors().forEach((name, t) -> {
      if (filter.test(name)) {
        if (t.rows() == 1) {
          w.add(name, dtype, t.toArray(), t.cols());
        } else {
          w.add(name, dtype, t.toArray(), t.rows(), t.cols());
        }
      }
    });
    return writeTemp(p -> {
      try {
        w.write(p);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  static byte[] safetensors() {
    return safetensors("F32", name -> true);
  }

  /** Names in shard {@code a.safetensors}; the rest are in {@code b.safetensors}. */
  static boolean inShardA(String name) {
    return !name.startsWith("model.layers.");
  }

  static String indexJson() {
    StringBuilder sb = new StringBuilder("{\"metadata\": {\"total_size\": 1000}, \"weight_map\": {");
    String sep = "";
    for (String name : hfTensors().keySet()) {
      sb.append(sep).append('"').append(name).append("\": \"").append(inShardA(name) ? "a" : "b").append(".safetensors\"");
      sep = ", ";
    }
    return sb.append("}}").toString();
  }

  /** A llama2.c checkpoint of the tiny model's shape with seeded random weights ({@code shared}: tied classifier). */
  static byte[] llama2c(boolean shared, int seqLen) {
    Llama2cReader.Header h = new Llama2cReader.Header(8, 16, 1, 2, 1, shared ? 16 : -16, seqLen);
    long size = h.expectedFileSize();
    Le b = new Le();
    b.i32(h.dim()).i32(h.hiddenDim()).i32(h.layers()).i32(h.heads()).i32(h.kvHeads()).i32(h.vocabSize()).i32(h.seqLen());
    Random rnd = new Random(11);
    for (long i = Llama2cReader.HEADER_BYTES; i < size; i += 4) {
      b.f32((float) rnd.nextGaussian());
    }
    return b.toArray();
  }

  // ---------------------------------------------------------------- raw GGUF

  /** Little-endian byte builder. */
  static final class Le {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Le i32(int v) {
      out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
      return this;
    }

    Le i64(long v) {
      out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
      return this;
    }

    Le f32(float v) {
      return i32(Float.floatToRawIntBits(v));
    }

    Le bytes(byte[] b) {
      out.writeBytes(b);
      return this;
    }

    /** A GGUF string: u64 length + UTF-8. */
    Le str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      return i64(b.length).bytes(b);
    }

    Le pad(int alignment) {
      while (out.size() % alignment != 0) {
        out.write(0);
      }
      return this;
    }

    int size() {
      return out.size();
    }

    byte[] toArray() {
      return out.toByteArray();
    }
  }

  /** A GGUF v3 header: magic, version, tensor count, kv count. */
  static Le ggufHeader(long tensors, long kvs) {
    return new Le().i32(0x46554747).i32(3).i64(tensors).i64(kvs);
  }

  /** GGUF value type ids. */
  static final int UINT32 = 4;
  static final int STRING = 8;
  static final int ARRAY = 9;

  // ---------------------------------------------------------------- hostile inputs

  /** Hostile GGUF files by name. Offsets of the interesting field are documented in {@link HostileInputsTest}. */
  static Map<String, byte[]> hostileGguf() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("tensor-count-2e60", ggufHeader(1L << 60, 0).toArray());
    m.put("kv-count-2e60", ggufHeader(0, 1L << 60).toArray());
    m.put("tensor-count-negative", ggufHeader(-1, 0).toArray());
    m.put("key-length-negative", ggufHeader(0, 1).i64(-1).i32(UINT32).i32(1).toArray());
    m.put("key-length-huge", ggufHeader(0, 1).i64(1L << 40).bytes(new byte[16]).toArray());
    m.put("string-value-length-huge", ggufHeader(0, 1).str("general.name").i32(STRING).i64(Long.MAX_VALUE).bytes(new byte[8]).toArray());
    m.put("array-count-2e60", ggufHeader(0, 1).str("a").i32(ARRAY).i32(UINT32).i64(1L << 60).bytes(new byte[16]).toArray());
    Le bomb = ggufHeader(0, 1).str("bomb").i32(ARRAY);
    for (int i = 0; i < 4000; i++) {
      bomb.i32(ARRAY).i64(1);
    }
    m.put("nested-array-depth-bomb", bomb.i32(UINT32).i64(0).toArray());
    m.put("string-array-count-huge", ggufHeader(0, 1).str("tokenizer.ggml.tokens").i32(ARRAY).i32(STRING).i64(1L << 59).bytes(new byte[32]).toArray());
    m.put("tensor-dims-overflow", tensorOnly(new long[] {1L << 32, 1L << 32, 1L << 32}, 0, 0));
    m.put("tensor-offset-past-eof", tensorOnly(new long[] {8}, 0, 1L << 40));
    m.put("tensor-offset-negative", tensorOnly(new long[] {8}, 0, -32));
    m.put("tensor-ndims-5", ggufHeader(1, 0).str("t").i32(5).i64(1).i64(1).i64(1).i64(1).i64(1).i32(0).i64(0).toArray());
    m.put("tensor-unknown-type", tensorOnly(new long[] {8}, 999, 0));
    m.put("alignment-zero", ggufHeader(1, 1).str("general.alignment").i32(UINT32).i32(0).str("t").i32(1).i64(8).i32(0).i64(0).toArray());
    m.put("bad-magic", new Le().i32(0x46554746).i32(3).i64(0).i64(0).toArray());
    m.put("version-99", new Le().i32(0x46554747).i32(99).i64(0).i64(0).toArray());
    m.put("truncated-header", new Le().i32(0x46554747).i32(3).i32(0).toArray());
    byte[] valid = gguf(GgmlType.F32, spmTokenizer());
    m.put("valid-truncated-half", java.util.Arrays.copyOf(valid, valid.length / 2));
    m.put("valid-truncated-by-one", java.util.Arrays.copyOf(valid, valid.length - 1));
    // issue 17: every field in range, the fields disagreeing (HostileModelsTest names each)
    byte[] two = twoLayerGguf(TWO_LAYERS, null);
    m.put("key-length-wraps-to-the-width", new ModelBytes.Gguf(two).u32("llama.attention.head_count", 8).u32("llama.attention.head_count_kv", 8)
        .u32("llama.attention.key_length", (1L << 29) + 1).u32("llama.rope.dimension_count", (1L << 29) + 1).bytes());
    m.put("tensors-overlap", new ModelBytes.Gguf(two).sameDataAs("blk.1.ffn_norm.weight", "blk.1.attn_norm.weight").bytes());
    m.put("block-count-below-layers", new ModelBytes.Gguf(two).u32("llama.block_count", 1).bytes());
    m.put("rope-base-negative-infinity", new ModelBytes.Gguf(two).f32("llama.rope.freq_base", Float.NEGATIVE_INFINITY).bytes());
    m.put("norm-epsilon-nan", new ModelBytes.Gguf(two).f32("llama.attention.layer_norm_rms_epsilon", Float.NaN).bytes());
    m.put("head-dim-1", new ModelBytes.Gguf(two).u32("llama.attention.head_count", 8).u32("llama.attention.head_count_kv", 8)
        .u32("llama.attention.key_length", 1).u32("llama.rope.dimension_count", 1).bytes());
    try (LlamaModel wide = RandomModels.random(new ModelConfig("llama", 8, 16, 1, 2, 1, 4, 32, 32, 1e-5f, 10000f, true, null, false, true), 3)) {
      m.put("tokenizer-smaller-than-embedding", writeTemp(p -> GgufModelWriter.write(p, CONFIG, wide.weights(), spmTokenizer(), GgmlType.F32)));
    }
    return m;
  }

  /** Two layers, 2 query and 2 KV heads of 4 (q and kv projections both 8 x 8), vocabulary 16, tied output. */
  static final ModelConfig TWO_LAYERS = new ModelConfig("llama", 8, 16, 2, 2, 2, 4, 16, 32, 1e-5f, 10000f, true, null, false, true);

  /** A GGUF of random weights of {@code config}, with {@code tokenizer} (may be null). */
  static byte[] twoLayerGguf(ModelConfig config, Tokenizer tokenizer) {
    try (LlamaModel m = RandomModels.random(config, 3)) {
      return writeTemp(p -> GgufModelWriter.write(p, config, m.weights(), tokenizer, GgmlType.F32));
    }
  }

  /** A GGUF with one F32-typed (or {@code type}) tensor "t" of {@code dims} at data offset {@code offset}, and 32 data bytes. */
  static byte[] tensorOnly(long[] dims, int type, long offset) {
    Le b = ggufHeader(1, 0).str("t").i32(dims.length);
    for (long d : dims) {
      b.i64(d);
    }
    return b.i32(type).i64(offset).pad(32).bytes(new byte[32]).toArray();
  }

  /** A safetensors file with {@code header} as its JSON and {@code data} after it. */
  static byte[] safetensorsWithHeader(String header, int dataBytes) {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    return new Le().i64(json.length).bytes(json).bytes(new byte[dataBytes]).toArray();
  }

  static Map<String, byte[]> hostileSafetensors() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("tensors-overlap", ModelBytes.safetensors(safetensors(), h -> ((ObjectNode) h.get("model.norm.weight"))
        .set("data_offsets", h.get("model.layers.0.input_layernorm.weight").get("data_offsets").deepCopy())));
    m.put("shape-not-an-integer", ModelBytes.safetensors(safetensors(), h -> ((ObjectNode) h.get("model.norm.weight"))
        .putArray("shape").add(8.5)));
    m.put("header-length-past-eof", new Le().i64(1000).bytes("{}".getBytes(StandardCharsets.UTF_8)).toArray());
    m.put("header-length-negative", new Le().i64(-2).bytes("{}".getBytes(StandardCharsets.UTF_8)).toArray());
    m.put("header-length-2e62", new Le().i64(1L << 62).bytes(new byte[8]).toArray());
    m.put("header-not-json", safetensorsWithHeader("{\"a\": [1, 2", 0));
    m.put("header-array", safetensorsWithHeader("[]", 0));
    m.put("header-nesting-bomb", safetensorsWithHeader("[".repeat(5_000) + "]".repeat(5_000), 0));
    m.put("data-offsets-past-eof", safetensorsWithHeader("{\"t\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 1099511627776]}}", 16));
    m.put("data-offsets-reversed", safetensorsWithHeader("{\"t\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [16, 0]}}", 16));
    m.put("data-offsets-negative", safetensorsWithHeader("{\"t\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [-16, 0]}}", 16));
    m.put("shape-overflow", safetensorsWithHeader(
        "{\"t\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296, 4294967296], \"data_offsets\": [0, 16]}}", 16));
    m.put("shape-negative", safetensorsWithHeader("{\"t\": {\"dtype\": \"F32\", \"shape\": [-4], \"data_offsets\": [0, 16]}}", 16));
    m.put("shape-mismatch", safetensorsWithHeader("{\"t\": {\"dtype\": \"F32\", \"shape\": [5], \"data_offsets\": [0, 16]}}", 16));
    m.put("shape-huge-number", safetensorsWithHeader("{\"t\": {\"dtype\": \"F32\", \"shape\": [1" + "0".repeat(5000) + "], \"data_offsets\": [0, 16]}}", 16));
    m.put("entry-not-object", safetensorsWithHeader("{\"t\": 5}", 0));
    m.put("metadata-not-object", safetensorsWithHeader("{\"__metadata__\": [1, {\"a\": 2}]}", 0));
    m.put("unknown-dtype", safetensorsWithHeader("{\"model.embed_tokens.weight\": {\"dtype\": \"Q9\", \"shape\": [16, 8], \"data_offsets\": [0, 16]}}", 16));
    byte[] valid = safetensors();
    m.put("valid-truncated-by-one", java.util.Arrays.copyOf(valid, valid.length - 1));
    return m;
  }

  static Map<String, String> hostileIndexJson() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("shard-escapes-directory", "{\"weight_map\": {\"model.embed_tokens.weight\": \"../../../etc/passwd\"}}");
    m.put("shard-absolute-path", "{\"weight_map\": {\"model.embed_tokens.weight\": \"/etc/passwd\"}}");
    m.put("shard-missing", "{\"weight_map\": {\"model.embed_tokens.weight\": \"c.safetensors\"}}");
    m.put("shard-is-directory", "{\"weight_map\": {\"model.embed_tokens.weight\": \".\"}}");
    m.put("weight-map-empty", "{\"weight_map\": {}}");
    m.put("weight-map-array", "{\"weight_map\": [\"a.safetensors\"]}");
    m.put("not-json", "{\"weight_map\": {\"a\": ");
    m.put("nesting-bomb", "{\"weight_map\": " + "[".repeat(5_000) + "]".repeat(5_000) + "}");
    m.put("only-shard-a", "{\"weight_map\": {\"model.embed_tokens.weight\": \"a.safetensors\"}}");
    m.put("shard-name-nul", "{\"weight_map\": {\"x\": \"a\\u0000.safetensors\"}}");
    return m;
  }

  static Map<String, String> hostileConfigJson() {
    Map<String, String> m = new LinkedHashMap<>();
    String base = CONFIG_JSON.strip();
    m.put("hidden-size-2e40", base.replace("\"hidden_size\": 8", "\"hidden_size\": 1099511627776"));
    m.put("hidden-size-negative", base.replace("\"hidden_size\": 8", "\"hidden_size\": -8"));
    m.put("hidden-size-float", base.replace("\"hidden_size\": 8", "\"hidden_size\": 8.5"));
    m.put("hidden-size-huge-int", base.replace("\"hidden_size\": 8", "\"hidden_size\": 2147483647"));
    m.put("layers-huge", base.replace("\"num_hidden_layers\": 1", "\"num_hidden_layers\": 2147483647"));
    m.put("heads-not-multiple", base.replace("\"num_key_value_heads\": 1", "\"num_key_value_heads\": 3"));
    m.put("head-dim-odd", base.replace("\"num_key_value_heads\": 1", "\"num_key_value_heads\": 1, \"head_dim\": 3"));
    m.put("vocab-missing", base.replace("\"vocab_size\": 16,", ""));
    m.put("eps-infinite", base.replace("\"rms_norm_eps\": 1e-05", "\"rms_norm_eps\": 1e999"));
    m.put("rope-scaling-unknown", base.replace("\"rope_theta\"", "\"rope_scaling\": {\"rope_type\": \"yarn\"}, \"rope_theta\""));
    m.put("rope-scaling-llama3-bad", base.replace("\"rope_theta\"", "\"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": -1}, \"rope_theta\""));
    m.put("architectures-unknown", base.replace("LlamaForCausalLM", "GPTNeoXForCausalLM").replace("\"model_type\": \"llama\"", "\"model_type\": \"gpt_neox\""));
    m.put("not-object", "[1, 2, 3]");
    m.put("empty", "");
    m.put("nesting-bomb", "{\"a\": " + "[".repeat(5_000) + "]".repeat(5_000) + "}");
    return m;
  }

  /** Hostile llama2.c checkpoints. */
  static Map<String, byte[]> hostileLlama2c() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("header-only", new Le().i32(8).i32(16).i32(1).i32(2).i32(1).i32(16).i32(4).toArray());
    m.put("dims-max-int", new Le().i32(Integer.MAX_VALUE - 1).i32(Integer.MAX_VALUE).i32(Integer.MAX_VALUE).i32(2).i32(1).i32(Integer.MAX_VALUE)
        .i32(Integer.MAX_VALUE).bytes(new byte[64]).toArray());
    m.put("vocab-min-int", new Le().i32(8).i32(16).i32(1).i32(2).i32(1).i32(Integer.MIN_VALUE).i32(4).bytes(new byte[64]).toArray());
    m.put("short", new Le().i32(8).i32(16).toArray());
    // before the fix, the implied size wrapped around 2^64 to exactly 36 bytes: detected as llama2.c
    m.put("size-overflow-wraps-to-36", overflowingLlama2cHeader());
    byte[] valid = llama2c(true, 4);
    m.put("valid-truncated-by-four", java.util.Arrays.copyOf(valid, valid.length - 4));
    return m;
  }

  /** A 36-byte file whose header (dim 2^31-2, 2^30-1 heads) implied exactly 36 bytes when the size wrapped around 2^64. */
  static byte[] overflowingLlama2cHeader() {
    return new Le().i32(2147483646).i32(4).i32(1).i32(1073741823).i32(1073741823).i32(1).i32(9).i32(0).i32(0).toArray();
  }

  /** Hostile tokenizer.bin files (no vocab-size prefix). */
  static Map<String, byte[]> hostileTokenizerBin() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("length-negative", new Le().i32(3).f32(0).i32(-1).bytes(new byte[256]).toArray());
    m.put("length-huge", new Le().i32(3).f32(0).i32(Integer.MAX_VALUE).bytes(new byte[256]).toArray());
    m.put("max-token-length-zero", new Le().i32(0).bytes(new byte[256]).toArray());
    m.put("truncated", java.util.Arrays.copyOf(tokenizerBin(), tokenizerBin().length - 1));
    m.put("invalid-utf8", new Le().i32(3).f32(0).i32(2).bytes(new byte[] {(byte) 0xC3, (byte) 0x28}).bytes(new byte[256]).toArray());
    return m;
  }

  static Map<String, String> hostileTokenizerJson() {
    Map<String, String> m = new LinkedHashMap<>();
    String bpe = byteLevelTokenizerJson().strip();
    m.put("token-id-max-int", bpe.replace("\"w\": 5", "\"w\": 2147483647"));
    m.put("token-id-15999999", bpe.replace("\"w\": 5", "\"w\": 15999999"));
    m.put("token-id-negative", bpe.replace("\"w\": 5", "\"w\": -5"));
    m.put("token-id-2e40", bpe.replace("\"w\": 5", "\"w\": 1099511627776"));
    m.put("added-token-id-huge", bpe.replace("\"id\": 15", "\"id\": 2147483647"));
    m.put("merge-without-space", bpe.replace("\"H e\"", "\"He\""));
    m.put("merge-array-of-three", bpe.replace("\"H e\"", "[\"H\", \"e\", \"x\"]"));
    m.put("merge-of-unknown-pieces", bpe.replace("\"H e\"", "\"Q Z\""));
    m.put("vocab-empty", bpe.replaceAll("\"vocab\": \\{[^}]*}", "\"vocab\": {}"));
    m.put("model-not-bpe", bpe.replace("\"type\": \"BPE\"", "\"type\": \"WordPiece\""));
    m.put("regex-invalid", splitRegexTokenizerJson().strip().replaceFirst("\"Regex\": \"[^\"]*\"", "\"Regex\": \"(unclosed\""));
    m.put("regex-nesting-bomb", splitRegexTokenizerJson().strip().replaceFirst("\"Regex\": \"[^\"]*\"",
        "\"Regex\": \"" + "(".repeat(20_000) + "a" + ")".repeat(20_000) + "\""));
    m.put("regex-catastrophic", splitRegexTokenizerJson().strip().replaceFirst("\"Regex\": \"[^\"]*\"", "\"Regex\": \"(\\\\\\\\s*)*x\""));
    m.put("root-array", "[]");
    m.put("empty", "");
    m.put("nesting-bomb", "{\"model\": " + "[".repeat(5_000) + "]".repeat(5_000) + "}");
    return m;
  }

  // ---------------------------------------------------------------- helpers

  @FunctionalInterface
  interface PathFunction<T> {
    T apply(Path p) throws Exception;
  }

  static <T> T inTemp(String name, byte[] bytes, PathFunction<T> f) {
    try {
      Path dir = Files.createTempDirectory("ra-seeds");
      Path p = dir.resolve(name);
      try {
        Files.write(p, bytes);
        return f.apply(p);
      } finally {
        Files.deleteIfExists(p);
        Files.deleteIfExists(dir);
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] writeTemp(java.util.function.Consumer<Path> writer) {
    return inTemp("file", new byte[0], p -> {
      writer.accept(p);
      return Files.readAllBytes(p);
    });
  }

  /** {@code vocabSize - 1} as two little-endian bytes, then {@code bin}: the tokenizer.bin fuzz input. */
  static byte[] withVocabPrefix(int vocabSize, byte[] bin) {
    byte[] out = new byte[bin.length + 2];
    out[0] = (byte) (vocabSize - 1);
    out[1] = (byte) ((vocabSize - 1) >>> 8);
    System.arraycopy(bin, 0, out, 2, bin.length);
    return out;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Rewrites the committed seed corpus. Run from the ra-engine directory:
   * {@code java ... org.recycledattention.engine.fuzz.Seeds src/test/resources}.
   */
  public static void main(String[] args) throws IOException {
    Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources").resolve("org/recycledattention/engine/fuzz");
    Map<String, Map<String, byte[]>> corpus = new LinkedHashMap<>();
    Map<String, byte[]> gguf = new LinkedHashMap<>();
    gguf.put("valid-f32-spm", gguf(GgmlType.F32, spmTokenizer()));
    gguf.put("valid-f16-no-tokenizer", gguf(GgmlType.F16, null));
    gguf.put("valid-bf16-byte-level-bpe", gguf(GgmlType.BF16, inTemp("tokenizer.json", utf8(byteLevelTokenizerJson()), Tokenizers::fromTokenizerJson)));
    hostileGguf().forEach((k, v) -> gguf.put("hostile-" + k, v));
    corpus.put("GgufFuzzTestInputs/gguf", gguf);

    Map<String, byte[]> st = new LinkedHashMap<>();
    st.put("valid-f32", safetensors());
    st.put("valid-bf16", safetensors("BF16", n -> true));
    st.put("valid-f16", safetensors("F16", n -> true));
    hostileSafetensors().forEach((k, v) -> st.put("hostile-" + k, v));
    corpus.put("SafetensorsFuzzTestInputs/safetensorsFile", st);

    Map<String, byte[]> index = new LinkedHashMap<>();
    index.put("valid-two-shards", utf8(indexJson()));
    hostileIndexJson().forEach((k, v) -> index.put("hostile-" + k, utf8(v)));
    corpus.put("SafetensorsIndexFuzzTestInputs/shardIndex", index);

    Map<String, byte[]> config = new LinkedHashMap<>();
    config.put("valid-llama", utf8(CONFIG_JSON));
    config.put("valid-qwen2-head-dim", utf8(CONFIG_JSON.replace("LlamaForCausalLM", "Qwen2ForCausalLM").replace("\"llama\"", "\"qwen2\"")
        .replace("\"rope_theta\"", "\"head_dim\": 4, \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0, \"low_freq_factor\": 1.0, "
            + "\"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 16}, \"rope_theta\"")));
    hostileConfigJson().forEach((k, v) -> config.put("hostile-" + k, utf8(v)));
    corpus.put("HfConfigFuzzTestInputs/configJson", config);

    Map<String, byte[]> l2c = new LinkedHashMap<>();
    l2c.put("valid-shared-classifier", llama2c(true, 4));
    l2c.put("valid-separate-classifier", llama2c(false, 2));
    hostileLlama2c().forEach((k, v) -> l2c.put("hostile-" + k, v));
    corpus.put("Llama2cFuzzTestInputs/checkpoint", l2c);

    Map<String, byte[]> tbin = new LinkedHashMap<>();
    tbin.put("valid-16", withVocabPrefix(16, tokenizerBin()));
    tbin.put("valid-first-3", withVocabPrefix(3, tokenizerBin()));
    tbin.put("hostile-vocab-larger-than-file", withVocabPrefix(60000, tokenizerBin()));
    hostileTokenizerBin().forEach((k, v) -> tbin.put("hostile-" + k, withVocabPrefix(16, v)));
    corpus.put("Llama2cTokenizerFuzzTestInputs/tokenizerBin", tbin);

    Map<String, byte[]> tj = new LinkedHashMap<>();
    tj.put("valid-byte-level", utf8(byteLevelTokenizerJson()));
    tj.put("valid-split-regex", utf8(splitRegexTokenizerJson()));
    tj.put("valid-sentencepiece", utf8(sentencePieceTokenizerJson()));
    hostileTokenizerJson().forEach((k, v) -> tj.put("hostile-" + k, utf8(v)));
    corpus.put("TokenizerJsonFuzzTestInputs/tokenizerJson", tj);

    for (Map.Entry<String, Map<String, byte[]>> dir : corpus.entrySet()) {
      Path d = root.resolve(dir.getKey());
      Files.createDirectories(d);
      for (Map.Entry<String, byte[]> f : dir.getValue().entrySet()) {
        Files.write(d.resolve(f.getKey()), f.getValue());
      }
      System.out.println(d + ": " + dir.getValue().size() + " inputs");
    }
  }
}
