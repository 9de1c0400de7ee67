package org.recycledattention.train;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.recycledattention.model.format.LayerWeights;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.format.Weights;
import org.recycledattention.model.format.gguf.writer.GgufModelWriter;
import org.recycledattention.model.tensor.ArrayTensor;
import org.recycledattention.model.tensor.GgmlType;

/** Writes trained probe weights as GGUF v3 (architecture llama, interleaved RoPE, tokenizer included). */
public final class ProbeExporter {
  private ProbeExporter() {}

  /** The engine's view of the probe's hyper-parameters. */
  public static ModelConfig config(ProbeGeometry g, int vocabSize) {
    return new ModelConfig("llama", g.dim(), g.ffn(), g.layers(), g.heads(), g.kvHeads(), g.headDim(), vocabSize, g.context(), g.normEps(),
        g.ropeTheta(), true, null, false, true);
  }

  /** The weights as heap tensors the engine can run or write. */
  public static Weights weights(ProbeWeights w) {
    List<LayerWeights> layers = new ArrayList<>();
    for (int l = 0; l < w.geometry().layers(); l++) {
      String b = "blk." + l + ".";
      layers.add(new LayerWeights(vector(w, b + "attn_norm.weight"), matrix(w, b + "attn_q.weight"), matrix(w, b + "attn_k.weight"),
          matrix(w, b + "attn_v.weight"), null, null, null, matrix(w, b + "attn_output.weight"), vector(w, b + "ffn_norm.weight"),
          matrix(w, b + "ffn_gate.weight"), matrix(w, b + "ffn_down.weight"), matrix(w, b + "ffn_up.weight")));
    }
    ArrayTensor embedding = matrix(w, "token_embd.weight");
    return new Weights(embedding, layers, vector(w, "output_norm.weight"), embedding); // tied: the output projection is the embedding
  }

  /**
   * Writes {@code weights} to {@code target} (atomically: a temporary file renamed when complete).
   *
   * @param matrixType F32 or F16 (the probe is small; F16 halves the committed resource)
   */
  public static void write(ProbeWeights weights, Path target, GgmlType matrixType) {
    requireNonNull(weights, "weights is null");
    GgufModelWriter.toWriter(config(weights.geometry(), weights.vocabulary().size()), weights(weights), weights.vocabulary().tokenizer(), matrixType)
        .putString("general.name", "recycled-attention retrieval probe")
        .write(target);
  }

  private static ArrayTensor matrix(ProbeWeights w, String name) {
    ProbeWeights.Tensor t = requireNonNull(w.tensors().get(name), () -> "missing tensor " + name);
    return new ArrayTensor(name, t.data(), t.rows(), t.cols());
  }

  private static ArrayTensor vector(ProbeWeights w, String name) {
    ProbeWeights.Tensor t = requireNonNull(w.tensors().get(name), () -> "missing tensor " + name);
    return ArrayTensor.vector(name, t.data());
  }
}
