package org.recycledattention.train;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.recycledattention.model.format.gguf.GgufFile;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.tensor.FloatTensor;
import org.recycledattention.engine.wiring.Models;

/**
 * Reads a probe model written by {@link ProbeExporter} back as weights to train on (continued training).
 * A probe written with an earlier version of the vocabulary (the same special tokens, and at least
 * {@value #SHARED_PIECES} of its pieces still pieces of {@link ProbeVocabulary#build()}, e.g. before the
 * haystack gained words) is carried over: each shared piece keeps its embedding row under its new id,
 * pieces the vocabulary no longer has are dropped, and new pieces start from small random rows (seeded,
 * so the same file always reads the same).
 */
public final class ProbeReader {
  /** Share of an earlier vocabulary's pieces that must still exist for its probe to be carried over. */
  static final double SHARED_PIECES = 0.9;

  private ProbeReader() {}

  /**
   * The weights of {@code file} (F32 or F16 matrices, dequantized to f32) with the geometry its
   * metadata gives.
   *
   * @throws ModelFormatException when the file is not a model of the probe's architecture and
   *     vocabulary (another geometry is fine)
   */
  public static ProbeWeights read(Path file) {
    requireNonNull(file, "file is null");
    ProbeVocabulary vocabulary = ProbeVocabulary.build();
    ModelConfig c;
    try (LanguageModel lm = Models.load(file)) {
      c = lm.config();
    }
    List<String> filePieces;
    try (GgufFile gguf = GgufFile.open(file)) {
      filePieces = pieces(gguf.metadata().get("tokenizer.ggml.tokens"));
    }
    int[] newIds = remap(filePieces, vocabulary);
    if (!c.architecture().equals("llama") || !c.tiedOutput() || c.qkvBias() || newIds == null || !c.ropeInterleaved()) {
      throw new ModelFormatException(file, -1, "not a probe model: expected a llama model with tied output, no q/k/v biases and the probe's "
          + vocabulary.size() + "-token vocabulary or an earlier version of it (as ra train-probe writes), got " + c.architecture() + " with " + c.vocabSize() + " tokens"
          + (c.tiedOutput() ? "" : ", untied output"));
    }
    ProbeGeometry g = new ProbeGeometry(c.layers(), c.dim(), c.heads(), c.kvHeads(), c.headDim(), c.ffnDim(), c.contextLength(), c.ropeTheta(),
        c.normEps());
    Map<String, ProbeWeights.Tensor> tensors = new LinkedHashMap<>();
    try (GgufFile gguf = GgufFile.open(file)) {
      tensors.put("token_embd.weight", embedding(tensor(gguf, "token_embd.weight"), newIds, vocabulary.size()));
      for (int l = 0; l < g.layers(); l++) {
        for (String n : new String[] {"attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down"}) {
          String name = "blk." + l + "." + n + ".weight";
          tensors.put(name, tensor(gguf, name));
        }
      }
      tensors.put("output_norm.weight", tensor(gguf, "output_norm.weight"));
    }
    return new ProbeWeights(g, vocabulary, tensors);
  }

  /** The file's vocabulary pieces, or an empty list when it has none readable. */
  private static List<String> pieces(Object tokens) {
    List<String> out = new ArrayList<>();
    List<?> items = tokens instanceof List<?> l ? l : tokens instanceof Object[] a ? Arrays.asList(a) : List.of();
    for (Object o : items) {
      if (!(o instanceof String s)) {
        return List.of();
      }
      out.add(s);
    }
    return out;
  }

  /**
   * For each piece of the file, its id in {@code vocabulary} (-1 for a piece it no longer has); null
   * when the file's vocabulary is not a version of the probe's (the first three ids, unk/bos/eos, stay
   * put and at least {@value #SHARED_PIECES} of the pieces are shared).
   */
  static int[] remap(List<String> filePieces, ProbeVocabulary vocabulary) {
    if (filePieces.size() < 3) {
      return null;
    }
    Map<String, Integer> ids = new HashMap<>();
    List<String> pieces = vocabulary.pieces();
    for (int i = 0; i < pieces.size(); i++) {
      ids.put(pieces.get(i), i);
    }
    int[] out = new int[filePieces.size()];
    int shared = 0;
    for (int i = 0; i < out.length; i++) {
      Integer id = ids.get(filePieces.get(i));
      if (i < 3 && (id == null || id != i)) {
        return null;
      }
      out[i] = id == null ? -1 : id;
      shared += id == null ? 0 : 1;
    }
    return shared >= SHARED_PIECES * out.length ? out : null;
  }

  /** The embedding in the current vocabulary's order: the file's rows moved to their new ids, new pieces small random. */
  static ProbeWeights.Tensor embedding(ProbeWeights.Tensor old, int[] newIds, int vocabularySize) {
    int dim = old.cols();
    if (old.rows() != newIds.length) {
      throw new IllegalArgumentException("token_embd.weight has " + old.rows() + " rows for " + newIds.length + " pieces");
    }
    double sumSq = 0;
    for (float f : old.data()) {
      sumSq += (double) f * f;
    }
    double std = Math.sqrt(sumSq / old.data().length);
    float[] data = new float[vocabularySize * dim];
    boolean[] filled = new boolean[vocabularySize];
    for (int i = 0; i < newIds.length; i++) {
      if (newIds[i] < 0) {
        continue;
      }
      System.arraycopy(old.data(), i * dim, data, newIds[i] * dim, dim);
      filled[newIds[i]] = true;
    }
    Random random = new Random(1);
    for (int r = 0; r < vocabularySize; r++) {
      if (!filled[r]) {
        for (int j = 0; j < dim; j++) {
          data[r * dim + j] = (float) (random.nextGaussian() * std * 0.5);
        }
      }
    }
    return new ProbeWeights.Tensor(vocabularySize, dim, data);
  }

  private static ProbeWeights.Tensor tensor(GgufFile gguf, String name) {
    FloatTensor t = gguf.floatTensor(name);
    return new ProbeWeights.Tensor(t.rows(), t.cols(), t.toArray());
  }
}
