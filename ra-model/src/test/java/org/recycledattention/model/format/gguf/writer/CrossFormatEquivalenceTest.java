package org.recycledattention.model.format.gguf.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.model.format.LayerWeights;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.format.ModelFormat;
import org.recycledattention.model.format.Weights;
import org.recycledattention.model.format.safetensors.SafetensorsWriter;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.load.ModelLoader;
import org.recycledattention.model.load.ModelTokenizers;
import org.recycledattention.model.tensor.ArrayTensor;
import org.recycledattention.model.tensor.GgmlType;
import org.recycledattention.model.testing.FullAttentionSequence;
import org.recycledattention.model.testing.Loaders;

/**
 * One tiny random model (GQA 3:1, head dim 48, 3 layers, untied output; and a Qwen2 variant with
 * q/k/v biases) written as GGUF (by {@link GgufModelWriter}), safetensors (Hugging Face layout, q/k
 * rows permuted to half-split RoPE) and llama2.c, loaded through {@link ModelLoader}: every copy
 * must compute the logits of a plain double-precision forward pass written here.
 */
class CrossFormatEquivalenceTest {
  static final int[] TOKENS = {1, 5, 9, 17, 3, 42, 7, 63};
  static final int PROMPT = 4;

  @TempDir Path dir;

  /**
   * The weights in GGUF's layout for the architecture: interleaved q/k rows for llama (RoPE rotates
   * (2i, 2i+1)), Hugging Face's half-split rows for qwen2 (rotates (i, i + headDim/2)).
   */
  record TinyModel(ModelConfig config, Map<String, float[]> w) {
    static TinyModel random(ModelConfig c, long seed) {
      Random rnd = new Random(seed);
      Map<String, float[]> w = new LinkedHashMap<>();
      int q = c.heads() * c.headDim();
      int kv = c.kvHeads() * c.headDim();
      w.put("embed", gaussian(rnd, c.vocabSize() * c.dim(), 1.0));
      for (int l = 0; l < c.layers(); l++) {
        w.put(l + ".attn_norm", norm(rnd, c.dim()));
        w.put(l + ".wq", gaussian(rnd, q * c.dim(), 1 / Math.sqrt(c.dim())));
        w.put(l + ".wk", gaussian(rnd, kv * c.dim(), 1 / Math.sqrt(c.dim())));
        w.put(l + ".wv", gaussian(rnd, kv * c.dim(), 1 / Math.sqrt(c.dim())));
        if (c.qkvBias()) {
          w.put(l + ".bq", gaussian(rnd, q, 0.5));
          w.put(l + ".bk", gaussian(rnd, kv, 0.5));
          w.put(l + ".bv", gaussian(rnd, kv, 0.5));
        }
        w.put(l + ".wo", gaussian(rnd, c.dim() * q, 1 / Math.sqrt(q)));
        w.put(l + ".ffn_norm", norm(rnd, c.dim()));
        w.put(l + ".gate", gaussian(rnd, c.ffnDim() * c.dim(), 1 / Math.sqrt(c.dim())));
        w.put(l + ".down", gaussian(rnd, c.dim() * c.ffnDim(), 1 / Math.sqrt(c.ffnDim())));
        w.put(l + ".up", gaussian(rnd, c.ffnDim() * c.dim(), 1 / Math.sqrt(c.dim())));
      }
      w.put("out_norm", norm(rnd, c.dim()));
      w.put("output", gaussian(rnd, c.vocabSize() * c.dim(), 1 / Math.sqrt(c.dim())));
      return new TinyModel(c, w);
    }

    static float[] gaussian(Random rnd, int n, double scale) {
      float[] a = new float[n];
      for (int i = 0; i < n; i++) {
        a[i] = (float) (rnd.nextGaussian() * scale);
      }
      return a;
    }

    static float[] norm(Random rnd, int n) {
      float[] a = new float[n];
      for (int i = 0; i < n; i++) {
        a[i] = (float) (1 + 0.2 * rnd.nextGaussian());
      }
      return a;
    }

    ArrayTensor t(String key, int rows, int cols) {
      return new ArrayTensor(key, w.get(key).clone(), rows, cols);
    }

    Weights weights() {
      ModelConfig c = config;
      int q = c.heads() * c.headDim();
      int kv = c.kvHeads() * c.headDim();
      List<LayerWeights> layers = new ArrayList<>();
      for (int l = 0; l < c.layers(); l++) {
        layers.add(new LayerWeights(t(l + ".attn_norm", 1, c.dim()), t(l + ".wq", q, c.dim()), t(l + ".wk", kv, c.dim()), t(l + ".wv", kv, c.dim()),
            c.qkvBias() ? t(l + ".bq", 1, q) : null, c.qkvBias() ? t(l + ".bk", 1, kv) : null, c.qkvBias() ? t(l + ".bv", 1, kv) : null,
            t(l + ".wo", c.dim(), q), t(l + ".ffn_norm", 1, c.dim()), t(l + ".gate", c.ffnDim(), c.dim()), t(l + ".down", c.dim(), c.ffnDim()),
            t(l + ".up", c.ffnDim(), c.dim())));
      }
      return new Weights(t("embed", c.vocabSize(), c.dim()), layers, t("out_norm", 1, c.dim()), t("output", c.vocabSize(), c.dim()));
    }

    /** Interleaved rows -> half-split rows, written out independently of the writer's permutation. */
    float[] toHalfSplit(float[] a, int heads, int cols) {
      if (!config.ropeInterleaved()) {
        return a;
      }
      int hd = config.headDim();
      float[] out = new float[a.length];
      for (int h = 0; h < heads; h++) {
        for (int r = 0; r < hd; r++) {
          // interleaved row r = 2i + j holds the pair element that half-split keeps at j·hd/2 + i
          int i = r / 2;
          int j = r % 2;
          System.arraycopy(a, (h * hd + r) * cols, out, (h * hd + j * hd / 2 + i) * cols, cols);
        }
      }
      return out;
    }

    void writeSafetensors(Path dir) throws IOException {
      ModelConfig c = config;
      int q = c.heads() * c.headDim();
      int kv = c.kvHeads() * c.headDim();
      SafetensorsWriter s = new SafetensorsWriter();
      s.add("model.embed_tokens.weight", "F32", w.get("embed"), c.vocabSize(), c.dim());
      for (int l = 0; l < c.layers(); l++) {
        String p = "model.layers." + l + ".";
        s.add(p + "input_layernorm.weight", "F32", w.get(l + ".attn_norm"), c.dim());
        s.add(p + "self_attn.q_proj.weight", "F32", toHalfSplit(w.get(l + ".wq"), c.heads(), c.dim()), q, c.dim());
        s.add(p + "self_attn.k_proj.weight", "F32", toHalfSplit(w.get(l + ".wk"), c.kvHeads(), c.dim()), kv, c.dim());
        s.add(p + "self_attn.v_proj.weight", "F32", w.get(l + ".wv"), kv, c.dim());
        if (c.qkvBias()) {
          s.add(p + "self_attn.q_proj.bias", "F32", toHalfSplit(w.get(l + ".bq"), c.heads(), 1), q);
          s.add(p + "self_attn.k_proj.bias", "F32", toHalfSplit(w.get(l + ".bk"), c.kvHeads(), 1), kv);
          s.add(p + "self_attn.v_proj.bias", "F32", w.get(l + ".bv"), kv);
        }
        s.add(p + "self_attn.o_proj.weight", "F32", w.get(l + ".wo"), c.dim(), q);
        s.add(p + "post_attention_layernorm.weight", "F32", w.get(l + ".ffn_norm"), c.dim());
        s.add(p + "mlp.gate_proj.weight", "F32", w.get(l + ".gate"), c.ffnDim(), c.dim());
        s.add(p + "mlp.down_proj.weight", "F32", w.get(l + ".down"), c.dim(), c.ffnDim());
        s.add(p + "mlp.up_proj.weight", "F32", w.get(l + ".up"), c.ffnDim(), c.dim());
      }
      s.add("model.norm.weight", "F32", w.get("out_norm"), c.dim());
      s.add("lm_head.weight", "F32", w.get("output"), c.vocabSize(), c.dim());
      Files.createDirectories(dir);
      s.write(dir.resolve("model.safetensors"));
      String arch = c.architecture().equals("qwen2") ? "Qwen2ForCausalLM" : "LlamaForCausalLM";
      Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"" + arch + "\"], \"hidden_size\": " + c.dim() + ", \"intermediate_size\": "
          + c.ffnDim() + ", \"num_hidden_layers\": " + c.layers() + ", \"num_attention_heads\": " + c.heads() + ", \"num_key_value_heads\": "
          + c.kvHeads() + ", \"head_dim\": " + c.headDim() + ", \"rms_norm_eps\": " + c.normEps() + ", \"rope_theta\": " + c.ropeTheta()
          + ", \"max_position_embeddings\": " + c.contextLength() + ", \"vocab_size\": " + c.vocabSize() + ", \"tie_word_embeddings\": false}");
    }

    /** llama2.c legacy layout: header, embedding, then each weight kind for all layers, RoPE tables, classifier. */
    void writeLlama2c(Path file) throws IOException {
      ModelConfig c = config;
      assertThat(c.heads() * c.headDim()).as("llama2.c needs dim = heads x head dim").isEqualTo(c.dim());
      try (OutputStream out = Files.newOutputStream(file)) {
        ByteBuffer h = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(c.dim()).putInt(c.ffnDim()).putInt(c.layers()).putInt(c.heads()).putInt(c.kvHeads()).putInt(-c.vocabSize()).putInt(c.contextLength());
        out.write(h.array());
        writeFloats(out, w.get("embed"));
        for (String kind : List.of("attn_norm", "wq", "wk", "wv", "wo", "ffn_norm", "gate", "down", "up")) {
          for (int l = 0; l < c.layers(); l++) {
            writeFloats(out, w.get(l + "." + kind));
          }
        }
        writeFloats(out, w.get("out_norm"));
        float[] table = new float[c.contextLength() * c.headDim() / 2];
        writeFloats(out, table); // freq_cis_real (unused by run.c)
        writeFloats(out, table); // freq_cis_imag
        writeFloats(out, w.get("output"));
      }
    }

    static void writeFloats(OutputStream out, float[] a) throws IOException {
      ByteBuffer b = ByteBuffer.allocate(a.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (float f : a) {
        b.putFloat(f);
      }
      out.write(b.array());
    }

    /** Logits after each of {@code tokens}, in double precision, in this model's RoPE layout. */
    double[][] referenceLogits(int[] tokens) {
      ModelConfig c = config;
      int d = c.dim();
      int hd = c.headDim();
      int q = c.heads() * hd;
      int kv = c.kvHeads() * hd;
      int group = c.heads() / c.kvHeads();
      double[][][] keys = new double[c.layers()][tokens.length][];
      double[][][] values = new double[c.layers()][tokens.length][];
      double[][] out = new double[tokens.length][];
      for (int pos = 0; pos < tokens.length; pos++) {
        double[] x = new double[d];
        for (int i = 0; i < d; i++) {
          x[i] = w.get("embed")[tokens[pos] * d + i];
        }
        for (int l = 0; l < c.layers(); l++) {
          double[] xb = rmsnorm(x, w.get(l + ".attn_norm"));
          double[] qv = matvec(w.get(l + ".wq"), xb, q, d, c.qkvBias() ? w.get(l + ".bq") : null);
          double[] kvec = matvec(w.get(l + ".wk"), xb, kv, d, c.qkvBias() ? w.get(l + ".bk") : null);
          double[] vvec = matvec(w.get(l + ".wv"), xb, kv, d, c.qkvBias() ? w.get(l + ".bv") : null);
          rope(qv, c.heads(), pos);
          rope(kvec, c.kvHeads(), pos);
          keys[l][pos] = kvec;
          values[l][pos] = vvec;
          double[] att = new double[q];
          for (int h = 0; h < c.heads(); h++) {
            int g = h / group;
            double[] s = new double[pos + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int t = 0; t <= pos; t++) {
              double dot = 0;
              for (int i = 0; i < hd; i++) {
                dot += qv[h * hd + i] * keys[l][t][g * hd + i];
              }
              s[t] = dot / Math.sqrt(hd);
              max = Math.max(max, s[t]);
            }
            double sum = 0;
            for (int t = 0; t <= pos; t++) {
              s[t] = Math.exp(s[t] - max);
              sum += s[t];
            }
            for (int t = 0; t <= pos; t++) {
              for (int i = 0; i < hd; i++) {
                att[h * hd + i] += s[t] / sum * values[l][t][g * hd + i];
              }
            }
          }
          double[] o = matvec(w.get(l + ".wo"), att, d, q, null);
          for (int i = 0; i < d; i++) {
            x[i] += o[i];
          }
          xb = rmsnorm(x, w.get(l + ".ffn_norm"));
          double[] g1 = matvec(w.get(l + ".gate"), xb, c.ffnDim(), d, null);
          double[] u = matvec(w.get(l + ".up"), xb, c.ffnDim(), d, null);
          for (int i = 0; i < g1.length; i++) {
            g1[i] = g1[i] / (1 + Math.exp(-g1[i])) * u[i];
          }
          double[] dn = matvec(w.get(l + ".down"), g1, d, c.ffnDim(), null);
          for (int i = 0; i < d; i++) {
            x[i] += dn[i];
          }
        }
        out[pos] = matvec(w.get("output"), rmsnorm(x, w.get("out_norm")), c.vocabSize(), d, null);
      }
      return out;
    }

    double[] rmsnorm(double[] x, float[] weight) {
      double ss = 0;
      for (double v : x) {
        ss += v * v;
      }
      double scale = 1 / Math.sqrt(ss / x.length + config.normEps());
      double[] out = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        out[i] = x[i] * scale * weight[i];
      }
      return out;
    }

    static double[] matvec(float[] m, double[] x, int rows, int cols, float[] bias) {
      double[] out = new double[rows];
      for (int r = 0; r < rows; r++) {
        double acc = bias == null ? 0 : bias[r];
        for (int i = 0; i < cols; i++) {
          acc += m[r * cols + i] * x[i];
        }
        out[r] = acc;
      }
      return out;
    }

    void rope(double[] v, int heads, int pos) {
      int hd = config.headDim();
      int half = hd / 2;
      for (int h = 0; h < heads; h++) {
        for (int i = 0; i < half; i++) {
          double angle = pos * Math.pow(config.ropeTheta(), -2.0 * i / hd);
          int a = h * hd + (config.ropeInterleaved() ? 2 * i : i);
          int b = h * hd + (config.ropeInterleaved() ? 2 * i + 1 : i + half);
          double x0 = v[a];
          double x1 = v[b];
          v[a] = x0 * Math.cos(angle) - x1 * Math.sin(angle);
          v[b] = x0 * Math.sin(angle) + x1 * Math.cos(angle);
        }
      }
    }
  }

  /** Logits after each token: prefill of the first {@link #PROMPT} tokens, then one step per token. */
  static float[][] engineLogits(LlamaModel model) {
    float[][] out = new float[TOKENS.length][];
    try (FullAttentionSequence s = new FullAttentionSequence(model, 64, 256)) {
      // the prompt in one prefill (its batched path), then single decode steps
      out[PROMPT - 1] = s.prefill(java.util.Arrays.copyOf(TOKENS, PROMPT)).clone();
      for (int p = PROMPT; p < TOKENS.length; p++) {
        out[p] = s.step(TOKENS[p]).clone();
      }
    }
    return out;
  }

  static double maxDiff(float[] a, double[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  static ModelLoader loader() {
    return Loaders.formats();
  }

  @Test
  void llamaIsTheSameModelAsGgufSafetensorsAndLlama2c() throws IOException {
    ModelConfig config = new ModelConfig("llama", 288, 160, 3, 6, 2, 48, 64, 32, 1e-5f, 10000f, true, null, false, false);
    long seed = 20261129L;
    TinyModel m = TinyModel.random(config, seed);
    Path gguf = dir.resolve("tiny.gguf");
    GgufModelWriter.write(gguf, config, m.weights(), null, GgmlType.F32);
    Path st = dir.resolve("hf");
    m.writeSafetensors(st);
    Path bin = dir.resolve("tiny.bin");
    m.writeLlama2c(bin);
    Path ggufFromHf = dir.resolve("from-hf.gguf");

    double[][] reference = m.referenceLogits(TOKENS);
    float[][] fromGguf;
    float[][] fromSt;
    float[][] fromBin;
    float[][] fromConverted;
    try (LlamaModel a = loader().load(gguf); LlamaModel b = loader().load(st); LlamaModel c = loader().load(bin)) {
      assertThat(Loaders.formats().detect(st)).isEqualTo(ModelFormat.SAFETENSORS);
      assertThat(b.config().ropeInterleaved()).isFalse();
      assertThat(a.config().ropeInterleaved()).isTrue();
      assertThat(b.config()).usingRecursiveComparison().ignoringFields("ropeInterleaved").isEqualTo(a.config());
      assertThat(c.config()).usingRecursiveComparison().ignoringFields("ropeInterleaved").isEqualTo(a.config());
      fromGguf = engineLogits(a);
      fromSt = engineLogits(b);
      fromBin = engineLogits(c);
      // HF -> GGUF conversion: the writer permutes the half-split q/k rows back to interleaved
      GgufModelWriter.write(ggufFromHf, b.config(), b.weights(), null, GgmlType.F32);
    }
    assertThat(Files.readAllBytes(ggufFromHf)).as("GGUF converted from safetensors is the directly written GGUF").isEqualTo(Files.readAllBytes(gguf));
    try (LlamaModel d = loader().load(ggufFromHf)) {
      fromConverted = engineLogits(d);
    }
    for (int p = PROMPT - 1; p < TOKENS.length; p++) {
      // Same weights, same layout, same kernels. Not asserted bit-identical: two sessions over the very same
      // model differ by ~1e-6 (JIT-dependent Vector API reductions), so "identical" means within 1e-5.
      assertThat(maxDiff(fromBin[p], toDouble(fromGguf[p]))).as("llama2.c vs GGUF at position %d", p).isLessThan(1e-5);
      assertThat(maxDiff(fromConverted[p], toDouble(fromGguf[p]))).as("converted GGUF vs GGUF at position %d", p).isLessThan(1e-5);
      // half-split RoPE sums the same products in another order: equal up to f32 rounding
      assertThat(maxDiff(fromSt[p], toDouble(fromGguf[p]))).as("safetensors vs GGUF at position %d", p).isLessThan(1e-4);
      assertThat(maxDiff(fromGguf[p], reference[p])).as("GGUF vs float64 reference at position %d (seed %d)", p, seed).isLessThan(2e-4);
      assertThat(maxDiff(fromSt[p], reference[p])).as("safetensors vs float64 reference at position %d", p).isLessThan(2e-4);
    }
  }

  @Test
  void qwen2WithBiasesIsTheSameModelAsGgufAndSafetensors() throws IOException {
    ModelConfig config = new ModelConfig("qwen2", 288, 160, 3, 6, 2, 48, 64, 32, 1e-6f, 1000000f, false, null, true, false);
    long seed = 77L;
    TinyModel m = TinyModel.random(config, seed);
    Path gguf = dir.resolve("qwen.gguf");
    GgufModelWriter.write(gguf, config, m.weights(), null, GgmlType.F32);
    Path st = dir.resolve("qwen-hf");
    m.writeSafetensors(st);
    double[][] reference = m.referenceLogits(TOKENS);
    try (LlamaModel a = loader().load(gguf); LlamaModel b = loader().load(st)) {
      assertThat(a.config()).isEqualTo(b.config());
      assertThat(a.config().qkvBias()).isTrue();
      float[][] fromGguf = engineLogits(a);
      float[][] fromSt = engineLogits(b);
      for (int p = PROMPT - 1; p < TOKENS.length; p++) {
        assertThat(maxDiff(fromSt[p], toDouble(fromGguf[p]))).as("safetensors vs GGUF at position %d", p).isLessThan(1e-5);
        assertThat(maxDiff(fromGguf[p], reference[p])).as("GGUF vs float64 reference at position %d (seed %d)", p, seed).isLessThan(2e-4);
      }
    }
  }

  @Test
  void quantizedCopiesStayCloseToTheReference() throws IOException {
    ModelConfig config = new ModelConfig("llama", 288, 160, 3, 6, 2, 48, 64, 32, 1e-5f, 10000f, true, null, false, false);
    TinyModel m = TinyModel.random(config, 5L);
    double[][] reference = m.referenceLogits(TOKENS);
    double previous = 0;
    for (GgmlType type : List.of(GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0)) {
      Path gguf = dir.resolve("tiny-" + type + ".gguf");
      GgufModelWriter.write(gguf, config, m.weights(), null, type);
      try (LlamaModel model = loader().load(gguf)) {
        assertThat(model.weights().layers().get(0).wq().type()).isEqualTo(type);
        float[][] got = engineLogits(model);
        double worst = 0;
        for (int p = PROMPT - 1; p < TOKENS.length; p++) {
          worst = Math.max(worst, maxDiff(got[p], reference[p]));
        }
        // coarser weights, larger error (measured: F16 0.002, Q8_0 0.044, Q4_0 0.85 on logits of magnitude up to ~3)
        double bound = switch (type) {
          case F16 -> 0.01;
          case Q8_0 -> 0.15;
          default -> 2.0;
        };
        assertThat(worst).as("%s max |logit error|", type).isGreaterThan(previous).isLessThan(bound);
        previous = worst;
      }
    }
  }

  @Test
  void safetensorsWithTokenizerJsonConvertsToAGgufWithTheSameTokenizer() throws IOException {
    ModelConfig config = new ModelConfig("llama", 288, 160, 2, 6, 2, 48, 64, 32, 1e-5f, 10000f, true, null, false, false);
    TinyModel m = TinyModel.random(config, 99L);
    Path st = dir.resolve("hf-tok");
    m.writeSafetensors(st);
    // 62 single characters + 2 merges = 64 pieces, the model's vocabulary
    Map<String, Integer> vocab = new LinkedHashMap<>();
    String chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for (char ch : chars.toCharArray()) {
      vocab.put(String.valueOf(ch), vocab.size());
    }
    vocab.put("ab", vocab.size());
    vocab.put("abc", vocab.size());
    new com.fasterxml.jackson.databind.ObjectMapper().writeValue(st.resolve("tokenizer.json").toFile(), Map.of(
        "pre_tokenizer", Map.of("type", "ByteLevel", "add_prefix_space", false, "use_regex", true),
        "model", Map.of("type", "BPE", "vocab", vocab, "merges", List.of("a b", "ab c"))));
    ModelLoader withTokenizers = loader().withTokenizers(new ModelTokenizers());
    Path gguf = dir.resolve("converted.gguf");
    float[][] before;
    int[] ids;
    try (LlamaModel hf = withTokenizers.load(st)) {
      ids = hf.tokenizer().orElseThrow().encode("abcab9Z", false);
      assertThat(ids).containsExactly(vocab.get("abc"), vocab.get("ab"), vocab.get("9"), vocab.get("Z"));
      before = engineLogits(hf);
      GgufModelWriter.write(gguf, hf, GgmlType.F32);
    }
    try (org.recycledattention.model.format.gguf.GgufFile g = org.recycledattention.model.format.gguf.GgufFile.open(gguf)) {
      assertThat(g.metadata()).containsEntry("tokenizer.ggml.model", "gpt2").containsEntry("tokenizer.ggml.pre", "gpt-2") // llama.cpp's names
          .containsEntry("tokenizer.ggml.merges", List.of("a b", "ab c"));
    }
    try (LlamaModel converted = withTokenizers.load(gguf)) {
      assertThat(converted.tokenizer().orElseThrow().encode("abcab9Z", false)).containsExactly(ids);
      assertThat(converted.config().ropeInterleaved()).isTrue();
      float[][] after = engineLogits(converted);
      for (int p = PROMPT - 1; p < TOKENS.length; p++) {
        assertThat(maxDiff(after[p], toDouble(before[p]))).as("position %d", p).isLessThan(1e-4);
      }
    }
  }

  static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }
}
