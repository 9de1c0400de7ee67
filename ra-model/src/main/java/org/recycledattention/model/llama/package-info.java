/**
 * The Llama-family forward pass (Llama 2/3.x with RoPE scaling, Qwen2 biases, Mistral, GQA), which
 * knows no policy, backend or cache.
 *
 * <ul>
 *   <li>{@link org.recycledattention.model.llama.LlamaModel} runs the layers over {@link
 *       org.recycledattention.model.format.Weights}. Per layer it calls the one {@link
 *       org.recycledattention.model.llama.Attention} of the sequence with the new queries, keys and
 *       values; decoding ({@code org.recycledattention.engine.decode}) implements it with a KV cache
 *       and a policy (append, plan, attend, observe).
 *   <li>Everything per sequence (the attention, scratch buffers) is in a {@link
 *       org.recycledattention.model.llama.SequenceState}, so one model serves many sequences at once
 *       and decoding allocates no buffers per token.
 *   <li>Numerics follow llama2.c's {@code run.c}: f32 activations, RMSNorm and SiLU in f32,
 *       quantized weights dequantized exactly inside the dot products (activations are never
 *       quantized, unlike llama.cpp). Each layer's output is checked for NaN/infinity, so a broken
 *       model fails naming the layer ({@link org.recycledattention.model.NumericalException}).
 * </ul>
 */
package org.recycledattention.model.llama;
