package org.recycledattention.train;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.recycledattention.engine.gguf.GgufFile;
import org.recycledattention.engine.model.LanguageModel;
import org.recycledattention.engine.model.ModelConfig;
import org.recycledattention.engine.model.ModelFormatException;
import org.recycledattention.engine.tensor.FloatTensor;
import org.recycledattention.engine.wiring.Models;

/** Reads a probe model written by {@link ProbeExporter} back as weights to train on (continued training). */
public final class ProbeReader {
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
    if (!c.architecture().equals("llama") || !c.tiedOutput() || c.qkvBias() || c.vocabSize() != vocabulary.size() || !c.ropeInterleaved()) {
      throw new ModelFormatException(file, -1, "not a probe model: expected a llama model with tied output, no q/k/v biases and the probe's "
          + vocabulary.size() + "-token vocabulary (as ra train-probe writes), got " + c.architecture() + " with " + c.vocabSize() + " tokens"
          + (c.tiedOutput() ? "" : ", untied output"));
    }
    ProbeGeometry g = new ProbeGeometry(c.layers(), c.dim(), c.heads(), c.kvHeads(), c.headDim(), c.ffnDim(), c.contextLength(), c.ropeTheta(),
        c.normEps());
    Map<String, ProbeWeights.Tensor> tensors = new LinkedHashMap<>();
    try (GgufFile gguf = GgufFile.open(file)) {
      tensors.put("token_embd.weight", tensor(gguf, "token_embd.weight"));
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

  private static ProbeWeights.Tensor tensor(GgufFile gguf, String name) {
    FloatTensor t = gguf.floatTensor(name);
    return new ProbeWeights.Tensor(t.rows(), t.cols(), t.toArray());
  }
}
