package org.recycledattention.model.llama;

import org.recycledattention.model.tensor.Parallel;

/**
 * Attention as the forward pass needs it, for one sequence: the new tokens' keys and values go in, their
 * queries attend to what the implementation keeps, the output comes back. Decoding (ra-engine) implements it
 * with a KV cache and an attention policy and counts what each step attended; the model knows neither.
 *
 * <p>Layers are called in order {@code 0 .. layers-1} for every {@link LlamaModel#forward} call. Arrays are
 * token-major; keys, values and queries are after RoPE. <b>NOTE:</b> the arrays belong to the model's
 * {@link SequenceState} and are overwritten by the next call: copy what must be kept.
 */
@FunctionalInterface
public interface Attention {
  /**
   * Stores {@code tokens} new keys and values of {@code layer} and writes the attention of their queries.
   *
   * @param q queries, {@code tokens × heads × headDim}
   * @param k keys, {@code tokens × kvHeads × headDim}
   * @param v values, same shape as {@code k}
   * @param positions the sequence positions of the new tokens, {@code tokens} used
   * @param tokens how many new tokens, at least 1; query {@code i} sees the new tokens {@code 0 .. i} (causal)
   * @param out receives {@code tokens × heads × headDim}
   */
  void attend(int layer, float[] q, float[] k, float[] v, int[] positions, int tokens, float[] out);

  /**
   * Whether {@link #attend} runs its parallel work on the pass's own kernel threads (the
   * sequence's {@link Parallel}): the pass then keeps them ready
   * across the call instead of resting them. By default it does not.
   */
  default boolean usesKernelThreads() {
    return false;
  }
}
