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
 *   <li>Numerics follow llama.cpp's: f32 activations and residual stream, RMSNorm with its sum of
 *       squares in double (as ggml's), and each matrix product's input converted to the weight
 *       type's activation format first (Q8_K, Q8_0, Q8_1, F16 or BF16; see {@code model.tensor}),
 *       so quantized models decode llama.cpp's greedy ids; F32 models also llama2.c's. Each
 *       layer's output is checked for NaN/infinity, so a broken model fails naming the layer
 *       ({@link org.recycledattention.model.NumericalException}).
 * </ul>
 */
package org.recycledattention.model.llama;
