package org.recycledattention.model.format.gguf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.recycledattention.model.format.LayerWeights;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.format.Weights;
import org.recycledattention.model.format.gguf.writer.GgufModelWriter;
import org.recycledattention.model.tensor.ArrayTensor;
import org.recycledattention.model.tensor.GgmlType;
import org.recycledattention.model.tokenizer.SentencePieceTokenizer;

/**
 * Not a test: writes the F32 models the llama.cpp-reference fixtures are quantized from ({@code
 * src/test/resources/quant-fixtures/make-fixtures.sh} runs it). Random weights from fixed seeds,
 * scaled so that greedy decoding is not degenerate (attention and the MLP move the residual stream
 * as much as the embedding does, so the next token depends on the context, not only on the current
 * token), and a dummy SentencePiece vocabulary so that llama.cpp loads them.
 *
 * <pre>java ... QuantFixtureModels OUT_DIR</pre>
 *
 * <p>Writes {@code NAME-f32.gguf} per model and the prompts as {@code prompt-NAME.csv} (comma-separated ids).
 */
public final class QuantFixtureModels {
  /**
   * A fixture model: its name (the file is {@code NAME-f32.gguf}), geometry, seed, and the gain of
   * the q and k projections (how sharp attention is: sharper is more varied, and more sensitive to
   * the last bits of the arithmetic).
   */
  public record Spec(String name, ModelConfig config, long seed, double qkGain) {}

  /**
   * The three geometries, one layer each (more layers amplify the last-bit differences between two
   * correct engines past the 0.05 margin the comparison allows): two Llamas (4 query heads of 64 on
   * 2 KV heads, FFN 256, untied output; 2 query heads of 128 on one KV head, FFN 512, tied output)
   * and a Qwen2 (q/k/v biases, half-split RoPE, 4 heads of 64, tied output). Every row is a
   * multiple of 256 elements, so every K-quant applies to every matrix.
   */
  public static final List<Spec> SPECS = List.of(
      new Spec("llama-a", new ModelConfig("llama", 256, 256, 1, 4, 2, 64, 320, 2048, 1e-5f, 10000f, true, null, false, false), 46, 1.0),
      new Spec("llama-b", new ModelConfig("llama", 256, 512, 1, 2, 1, 128, 300, 2048, 1e-5f, 10000f, true, null, false, true), 54, 1.5),
      new Spec("qwen2", new ModelConfig("qwen2", 256, 256, 1, 4, 4, 64, 320, 2048, 1e-6f, 1000000f, false, null, true, true), 63, 1.0));

  private QuantFixtureModels() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    Files.createDirectories(out);
    for (Spec s : SPECS) {
      GgufModelWriter.write(out.resolve(s.name() + "-f32.gguf"), s.config(), weights(s), tokenizer(s.config().vocabSize()), GgmlType.F32);
    }
    for (Map.Entry<String, int[]> p : prompts().entrySet()) {
      Files.writeString(out.resolve("prompt-" + p.getKey() + ".csv"), Arrays.stream(p.getValue()).mapToObj(Integer::toString)
          .collect(Collectors.joining(",")) + "\n");
    }
  }

  public static Weights weights(Spec s) {
    ModelConfig c = s.config();
    Random rnd = new Random(s.seed());
    int d = c.dim();
    int q = c.heads() * c.headDim();
    int kv = c.kvHeads() * c.headDim();
    List<LayerWeights> layers = new ArrayList<>();
    for (int l = 0; l < c.layers(); l++) {
      String p = "blk." + l + ".";
      layers.add(new LayerWeights(norm(p + "attn_norm", d, rnd), matrix(p + "attn_q", q, d, s.qkGain(), rnd), matrix(p + "attn_k", kv, d, s.qkGain(), rnd),
          matrix(p + "attn_v", kv, d, 1.0, rnd), c.qkvBias() ? matrix(p + "attn_q.bias", 1, q, 0.5, rnd) : null,
          c.qkvBias() ? matrix(p + "attn_k.bias", 1, kv, 0.5, rnd) : null, c.qkvBias() ? matrix(p + "attn_v.bias", 1, kv, 0.5, rnd) : null,
          matrix(p + "attn_output", d, q, 4.0, rnd), norm(p + "ffn_norm", d, rnd), matrix(p + "ffn_gate", c.ffnDim(), d, 1.0, rnd),
          matrix(p + "ffn_down", d, c.ffnDim(), 4.0, rnd), matrix(p + "ffn_up", c.ffnDim(), d, 1.0, rnd)));
    }
    // tied: small embeddings, so that a token's logit is not dominated by its own embedding in the residual stream
    ArrayTensor embedding = matrix("token_embd", c.vocabSize(), d, c.tiedOutput() ? 4.0 : 16.0, rnd);
    ArrayTensor output = c.tiedOutput() ? embedding : matrix("output", c.vocabSize(), d, 3.0, rnd);
    return new Weights(embedding, layers, norm("output_norm", d, rnd), output);
  }

  /** Gaussian, standard deviation {@code gain / sqrt(cols)}. */
  private static ArrayTensor matrix(String name, int rows, int cols, double gain, Random rnd) {
    float[] a = new float[rows * cols];
    double scale = gain / Math.sqrt(cols);
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (rnd.nextGaussian() * scale);
    }
    return new ArrayTensor(name, a, rows, cols);
  }

  private static ArrayTensor norm(String name, int n, Random rnd) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (1 + 0.2 * rnd.nextGaussian());
    }
    return ArrayTensor.vector(name, a);
  }

  /** The placeholder vocabulary ({@link SentencePieceTokenizer#placeholder}). */
  public static SentencePieceTokenizer tokenizer(int vocab) {
    return SentencePieceTokenizer.placeholder(vocab);
  }

  /**
   * The fixtures' prompts, valid for every model (ids below the smallest vocabulary, 300): BOS alone,
   * a short one, and 600 tokens (BOS, then random ids from a fixed seed).
   */
  public static Map<String, int[]> prompts() {
    Random rnd = new Random(600);
    int[] longPrompt = new int[600];
    longPrompt[0] = 1;
    for (int i = 1; i < longPrompt.length; i++) {
      longPrompt[i] = 3 + rnd.nextInt(297);
    }
    Map<String, int[]> p = new LinkedHashMap<>();
    p.put("bos", new int[] {1});
    p.put("short", new int[] {1, 280, 263, 289, 270, 297, 281, 265});
    p.put("long", longPrompt);
    return p;
  }
}
