package org.recycledattention.model.format.gguf.writer;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.recycledattention.model.format.LayerWeights;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.format.Weights;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.llama.Rope;
import org.recycledattention.model.tensor.FloatTensor;
import org.recycledattention.model.tensor.GgmlType;
import org.recycledattention.model.tokenizer.ByteLevelBpeTokenizer;
import org.recycledattention.model.tokenizer.LlamaPreTokenizer;
import org.recycledattention.model.tokenizer.PreTokenizer;
import org.recycledattention.model.tokenizer.PreTokenizerPattern;
import org.recycledattention.model.tokenizer.RegexPreTokenizer;
import org.recycledattention.model.tokenizer.SentencePieceTokenizer;
import org.recycledattention.model.tokenizer.TokenType;
import org.recycledattention.model.tokenizer.Tokenizer;

/**
 * Writes a Llama-family model as a GGUF that llama.cpp loads, with llama.cpp's key and tensor names
 * ({@code general.architecture}, {@code <arch>.block_count}, ..., {@code token_embd.weight},
 * {@code blk.N.attn_q.weight}, ..., {@code output.weight}) and, when given, the tokenizer under
 * {@code tokenizer.ggml.*}.
 *
 * <p>Layouts: architecture {@code qwen2} keeps Hugging Face's half-split q/k rows (llama.cpp rotates
 * them NEOX-style); every other architecture is written as {@code llama} with q/k rows in the
 * interleaved layout, permuting them (as llama.cpp's {@code convert_hf_to_gguf.py} does) when the
 * model has half-split RoPE ({@code ropeInterleaved = false}). Llama 3 RoPE scaling becomes a
 * {@code rope_freqs.weight} tensor. Norms and biases are F32 (as llama-quantize keeps them). A
 * matrix whose rows are not a whole number of {@code matrixType} blocks falls back as llama-quantize
 * falls back: Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0, and any type to F16 when even 32-element
 * blocks do not fit. A tied output projection is left out, which is how llama.cpp marks tying.
 *
 * <p>Stateless; reads the weights while writing.
 */
public final class GgufModelWriter {
  /** The matrix types {@link #write} takes. */
  public static final List<GgmlType> MATRIX_TYPES = List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K,
      GgmlType.Q5_K, GgmlType.Q6_K);

  private GgufModelWriter() {}

  /**
   * Writes {@code weights} and {@code config} (and {@code tokenizer}, may be null) to {@code target}.
   *
   * @param matrixType weight type of 2-D tensors: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K or Q6_K
   */
  public static void write(Path target, ModelConfig config, Weights weights, Tokenizer tokenizer, GgmlType matrixType) {
    requireNonNull(target, "target is null");
    requireNonNull(config, "config is null");
    requireNonNull(weights, "weights is null");
    requireNonNull(matrixType, "matrixType is null");
    toWriter(config, weights, tokenizer, matrixType).write(target);
  }

  /**
   * Writes a loaded model, with its tokenizer when it has one: a safetensors or llama2.c model
   * becomes a GGUF (a converter), a GGUF is re-quantized.
   */
  public static void write(Path target, LlamaModel model, GgmlType matrixType) {
    requireNonNull(model, "model is null");
    write(target, model.config(), model.weights(), model.tokenizer().orElse(null), matrixType);
  }

  /** The {@link GgufWriter} {@link #write} would write, for adding keys before writing. */
  public static GgufWriter toWriter(ModelConfig config, Weights weights, Tokenizer tokenizer, GgmlType matrixType) {
    if (!MATRIX_TYPES.contains(matrixType)) {
      throw new IllegalArgumentException("matrix type " + matrixType + " cannot be written; use one of " + MATRIX_TYPES);
    }
    String arch = config.architecture().equals("qwen2") ? "qwen2" : "llama";
    boolean targetInterleaved = !arch.equals("qwen2");
    boolean permute = config.ropeInterleaved() != targetInterleaved;
    GgufWriter w = new GgufWriter();
    w.putString("general.architecture", arch);
    w.putUInt32("general.file_type", fileType(matrixType));
    if (matrixType.blockSize() > 1) {
      w.putUInt32("general.quantization_version", 2);
    }
    w.putUInt32(arch + ".vocab_size", config.vocabSize());
    w.putUInt32(arch + ".context_length", config.contextLength());
    w.putUInt32(arch + ".embedding_length", config.dim());
    w.putUInt32(arch + ".block_count", config.layers());
    w.putUInt32(arch + ".feed_forward_length", config.ffnDim());
    w.putUInt32(arch + ".attention.head_count", config.heads());
    w.putUInt32(arch + ".attention.head_count_kv", config.kvHeads());
    w.putUInt32(arch + ".attention.key_length", config.headDim());
    w.putUInt32(arch + ".attention.value_length", config.headDim());
    w.putFloat32(arch + ".attention.layer_norm_rms_epsilon", config.normEps());
    w.putFloat32(arch + ".rope.freq_base", config.ropeTheta());
    w.putUInt32(arch + ".rope.dimension_count", config.headDim());
    if (tokenizer != null) {
      putTokenizer(w, tokenizer, config.vocabSize());
    }

    w.addTensor("token_embd.weight", matrixTypeFor(matrixType, weights.tokenEmbedding()), weights.tokenEmbedding(), false);
    if (config.ropeScaling() != null) {
      float[] factors = new float[config.headDim() / 2];
      for (int i = 0; i < factors.length; i++) {
        double freq = 1.0 / Math.pow(config.ropeTheta(), (2.0 * i) / config.headDim());
        factors[i] = (float) (freq / Rope.llama3Frequency(freq, config.ropeScaling()));
      }
      w.addVector("rope_freqs.weight", GgmlType.F32, factors);
    }
    int hd = config.headDim();
    for (int i = 0; i < config.layers(); i++) {
      LayerWeights l = weights.layers().get(i);
      String p = "blk." + i + ".";
      w.addTensor(p + "attn_norm.weight", GgmlType.F32, l.attnNorm(), true);
      addRows(w, p + "attn_q.weight", matrixTypeFor(matrixType, l.wq()), l.wq(), permute ? ropePermutation(config.heads(), hd, targetInterleaved) : null);
      addRows(w, p + "attn_k.weight", matrixTypeFor(matrixType, l.wk()), l.wk(), permute ? ropePermutation(config.kvHeads(), hd, targetInterleaved) : null);
      w.addTensor(p + "attn_v.weight", matrixTypeFor(matrixType, l.wv()), l.wv(), false);
      if (l.hasQkvBias()) {
        addVector(w, p + "attn_q.bias", l.bq(), permute ? ropePermutation(config.heads(), hd, targetInterleaved) : null);
        addVector(w, p + "attn_k.bias", l.bk(), permute ? ropePermutation(config.kvHeads(), hd, targetInterleaved) : null);
        w.addTensor(p + "attn_v.bias", GgmlType.F32, l.bv(), true);
      }
      w.addTensor(p + "attn_output.weight", matrixTypeFor(matrixType, l.wo()), l.wo(), false);
      w.addTensor(p + "ffn_norm.weight", GgmlType.F32, l.ffnNorm(), true);
      w.addTensor(p + "ffn_gate.weight", matrixTypeFor(matrixType, l.gate()), l.gate(), false);
      w.addTensor(p + "ffn_down.weight", matrixTypeFor(matrixType, l.down()), l.down(), false);
      w.addTensor(p + "ffn_up.weight", matrixTypeFor(matrixType, l.up()), l.up(), false);
    }
    w.addTensor("output_norm.weight", GgmlType.F32, weights.outputNorm(), true);
    if (!config.tiedOutput() && weights.output() != weights.tokenEmbedding()) {
      w.addTensor("output.weight", matrixTypeFor(matrixType, weights.output()), weights.output(), false);
    }
    return w;
  }

  /**
   * Row map for q/k of {@code heads} heads: entry {@code r} is the source row of output row {@code
   * r}. To interleaved: output {@code (h, 2i + j)} takes source {@code (h, j·half + i)} (llama.cpp's
   * {@code permute}); to half-split the inverse.
   */
  static int[] ropePermutation(int heads, int headDim, boolean toInterleaved) {
    int half = headDim / 2;
    int[] map = new int[heads * headDim];
    for (int h = 0; h < heads; h++) {
      for (int i = 0; i < half; i++) {
        for (int j = 0; j < 2; j++) {
          int interleaved = h * headDim + 2 * i + j;
          int split = h * headDim + j * half + i;
          if (toInterleaved) {
            map[interleaved] = split;
          } else {
            map[split] = interleaved;
          }
        }
      }
    }
    return map;
  }

  private static void addRows(GgufWriter w, String name, GgmlType type, FloatTensor t, int[] rowMap) {
    if (rowMap == null) {
      w.addTensor(name, type, t, false);
    } else {
      w.addTensor(name, type, new long[] {t.cols(), t.rows()}, (r, dst) -> t.copyRow(rowMap[r], dst, 0));
    }
  }

  private static void addVector(GgufWriter w, String name, FloatTensor t, int[] map) {
    if (map == null) {
      w.addTensor(name, GgmlType.F32, t, true);
    } else {
      float[] src = t.toArray();
      float[] out = new float[src.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = src[map[i]];
      }
      w.addVector(name, GgmlType.F32, out);
    }
  }

  /** The type a matrix of {@code t}'s row length gets when {@code wanted} is asked for (llama-quantize's fallbacks). */
  static GgmlType matrixTypeFor(GgmlType wanted, FloatTensor t) {
    if (t.cols() % wanted.blockSize() == 0) {
      return wanted;
    }
    GgmlType fallback = switch (wanted) {
      case Q4_K -> GgmlType.Q5_0;
      case Q5_K -> GgmlType.Q5_1;
      case Q6_K -> GgmlType.Q8_0;
      default -> GgmlType.F16;
    };
    return t.cols() % fallback.blockSize() == 0 ? fallback : GgmlType.F16;
  }

  /**
   * llama.cpp's {@code llama_ftype} for a model whose matrices are {@code t}: what {@code
   * llama-quantize --pure} writes for that type (Q4_K and Q5_K as their "M" mixes, whose names are
   * aliases of the plain types).
   */
  private static int fileType(GgmlType t) {
    return switch (t) {
      case F32 -> 0;
      case F16 -> 1;
      case Q4_0 -> 2;
      case Q8_0 -> 7;
      case Q4_K -> 15;
      case Q5_K -> 17;
      case Q6_K -> 18;
      case BF16 -> 32;
      default -> throw new IllegalArgumentException(t.toString());
    };
  }

  /** Writes {@code tokenizer.ggml.*}, padding the vocabulary to {@code vocabSize} with unused pieces. */
  static void putTokenizer(GgufWriter w, Tokenizer tok, int vocabSize) {
    int n = tok.vocabSize();
    if (n > vocabSize) {
      throw new IllegalArgumentException("the tokenizer has " + n + " tokens but the model's embedding only " + vocabSize);
    }
    List<String> tokens = new ArrayList<>(vocabSize);
    int[] types = new int[vocabSize];
    for (int id = 0; id < vocabSize; id++) {
      if (id < n) {
        String piece = tok.piece(id);
        TokenType type = tok.tokenType(id);
        if (tok instanceof SentencePieceTokenizer spm && spm.spaceMarker() != SentencePieceTokenizer.SPM_SPACE
            && (type == TokenType.NORMAL || type == TokenType.UNDEFINED || type == TokenType.USER_DEFINED)) {
          piece = piece.replace(spm.spaceMarker(), SentencePieceTokenizer.SPM_SPACE); // llama2.c spells spaces as ' '
        }
        tokens.add(piece);
        types[id] = type.ggufCode();
      } else {
        tokens.add("[PAD" + id + "]");
        types[id] = TokenType.UNUSED.ggufCode();
      }
    }
    switch (tok) {
      case SentencePieceTokenizer spm -> {
        w.putString("tokenizer.ggml.model", "llama");
        w.putStrings("tokenizer.ggml.tokens", tokens);
        float[] scores = new float[vocabSize];
        for (int id = 0; id < n; id++) {
          scores[id] = spm.score(id);
        }
        w.putFloat32s("tokenizer.ggml.scores", scores);
        w.putInt32s("tokenizer.ggml.token_type", types);
        w.putBool("tokenizer.ggml.add_space_prefix", spm.addSpacePrefix());
        if (spm.unk() >= 0) {
          w.putUInt32("tokenizer.ggml.unknown_token_id", spm.unk());
        }
      }
      case ByteLevelBpeTokenizer bpe -> {
        w.putString("tokenizer.ggml.model", "gpt2");
        w.putString("tokenizer.ggml.pre", ggufPre(bpe.preTokenizer()));
        w.putStrings("tokenizer.ggml.tokens", tokens);
        w.putInt32s("tokenizer.ggml.token_type", types);
        w.putStrings("tokenizer.ggml.merges", bpe.merges().stream().map(m -> m[0] + " " + m[1]).toList());
      }
      default -> throw new IllegalArgumentException("cannot write a " + tok.getClass().getSimpleName() + " as GGUF tokenizer metadata");
    }
    if (tok.bos() >= 0) {
      w.putUInt32("tokenizer.ggml.bos_token_id", tok.bos());
    }
    if (tok.eos() >= 0) {
      w.putUInt32("tokenizer.ggml.eos_token_id", tok.eos());
    }
    for (int stop : tok.stopTokens()) {
      if (stop != tok.eos()) {
        w.putUInt32("tokenizer.ggml.eot_token_id", stop);
        break;
      }
    }
    w.putBool("tokenizer.ggml.add_bos_token", tok.addBosByDefault());
  }

  /**
   * The {@code tokenizer.ggml.pre} llama.cpp reads as this pre-tokenizer: the name its converter gives the type
   * (a file read as {@code falcon3} is written as {@code llama-bpe}, {@code megrez} as {@code qwen2}), or
   * "default" for a {@code tokenizer.json} regex llama.cpp has no name for.
   */
  private static String ggufPre(PreTokenizer pre) {
    return switch (pre) {
      case LlamaPreTokenizer llama -> llama.ggufName();
      case RegexPreTokenizer regex -> {
        String r = regex.pattern().pattern();
        boolean digits = regex.individualDigits();
        LlamaPreTokenizer named = digits && r.equals(PreTokenizerPattern.GPT2.regex()) ? LlamaPreTokenizer.SMOLLM
            : r.equals(PreTokenizerPattern.QWEN2.regex()) ? LlamaPreTokenizer.QWEN2
            : r.equals(PreTokenizerPattern.GPT2.regex()) ? LlamaPreTokenizer.GPT2
            : r.equals(PreTokenizerPattern.LLAMA3.regex()) ? LlamaPreTokenizer.LLAMA3 : LlamaPreTokenizer.DEFAULT;
        yield named.ggufName();
      }
    };
  }
}
