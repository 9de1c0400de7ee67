package org.recycledattention.model.format;

import static java.util.Objects.requireNonNull;

import org.recycledattention.model.tensor.FloatTensor;

/**
 * The weights of one transformer block, named as in GGUF ({@code blk.N.*}) with the llama2.c and
 * Hugging Face names in the parameter docs. Matrices are {@code rows = out features × cols = in
 * features}.
 *
 * @param attnNorm {@code attn_norm} / {@code rms_att} / {@code input_layernorm}: {@code dim}
 * @param wq {@code attn_q} / {@code wq} / {@code q_proj}: {@code heads·headDim × dim}
 * @param wk {@code attn_k}: {@code kvHeads·headDim × dim}
 * @param wv {@code attn_v}: {@code kvHeads·headDim × dim}
 * @param bq q bias (Qwen2), or {@code null}
 * @param bk k bias, or {@code null}
 * @param bv v bias, or {@code null}
 * @param wo {@code attn_output} / {@code wo} / {@code o_proj}: {@code dim × heads·headDim}
 * @param ffnNorm {@code ffn_norm} / {@code rms_ffn} / {@code post_attention_layernorm}: {@code dim}
 * @param gate {@code ffn_gate} / {@code w1} / {@code gate_proj}: {@code ffnDim × dim}
 * @param down {@code ffn_down} / {@code w2} / {@code down_proj}: {@code dim × ffnDim}
 * @param up {@code ffn_up} / {@code w3} / {@code up_proj}: {@code ffnDim × dim}
 */
public record LayerWeights(FloatTensor attnNorm, FloatTensor wq, FloatTensor wk, FloatTensor wv, FloatTensor bq, FloatTensor bk, FloatTensor bv,
    FloatTensor wo, FloatTensor ffnNorm, FloatTensor gate, FloatTensor down, FloatTensor up) {
  public LayerWeights {
    requireNonNull(attnNorm, "attnNorm is null");
    requireNonNull(wq, "wq is null");
    requireNonNull(wk, "wk is null");
    requireNonNull(wv, "wv is null");
    requireNonNull(wo, "wo is null");
    requireNonNull(ffnNorm, "ffnNorm is null");
    requireNonNull(gate, "gate is null");
    requireNonNull(down, "down is null");
    requireNonNull(up, "up is null");
    if ((bq == null) != (bk == null) || (bq == null) != (bv == null)) {
      throw new IllegalArgumentException("q, k and v biases must be all present or all absent");
    }
  }

  /** Whether the q/k/v projections have biases. */
  public boolean hasQkvBias() {
    return bq != null;
  }
}
