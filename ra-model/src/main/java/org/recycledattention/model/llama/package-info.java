/**
 * Loaded models: format detection and the extension point for readers, weights as memory-mapped
 * tensors, and the Llama-family forward pass. Depends on ra-api; nothing here knows which policy or
 * backend runs.
 *
 * <ul>
 *   <li>{@link org.recycledattention.model.load.ModelLoader} detects the format of a path and
 *       hands it to the {@link org.recycledattention.model.format.ModelReader} registered for it
 *       (GGUF and llama2.c built in; safetensors registered by the composition root), which
 *       returns {@link org.recycledattention.model.format.LoadedWeights}: a {@link
 *       org.recycledattention.model.format.ModelConfig}, {@link org.recycledattention.model.format.Weights}
 *       and the resource that owns the mapping.
 *   <li>{@link org.recycledattention.model.llama.LlamaModel} is the forward pass. Per layer and
 *       step it calls {@code cache.append}, {@code policy.plan}, {@code cache.attend}, {@code
 *       policy.observe}; everything per sequence (cache, policy, scratch buffers, decode counters)
 *       is in a {@link org.recycledattention.model.llama.SequenceState}, so one model serves many
 *       sequences at once and decoding allocates no buffers per token.
 *   <li>Numerics follow llama.cpp's: f32 activations and residual stream, RMSNorm with its sum of
 *       squares in double (as ggml's), and each matrix product's input converted to the weight
 *       type's activation format first (Q8_K, Q8_0, Q8_1, F16 or BF16; see {@code model.tensor}),
 *       so quantized models decode llama.cpp's greedy ids; F32 models also llama2.c's. Each
 *       layer's output is checked for NaN/infinity (one multiply-add per element), so a broken
 *       model fails naming the layer.
 * </ul>
 */
package org.recycledattention.engine.model;
