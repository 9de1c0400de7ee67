/**
 * Hugging Face checkpoints: {@code *.safetensors} files (single or sharded through {@code
 * model.safetensors.index.json}) with {@code config.json}, for Llama, Mistral and Qwen2
 * ({@code *ForCausalLM}). Weights are memory-mapped and used in place (F32, F16, BF16); q/k weights
 * keep Hugging Face's layout, so the model rotates half-split RoPE pairs ({@code ropeInterleaved =
 * false}) instead of permuting rows. Every header length and data offset is checked against the
 * file size before anything is mapped or allocated.
 *
 * <p>Entry point: {@link org.recycledattention.model.format.safetensors.SafetensorsLoader}, a {@link
 * org.recycledattention.model.format.ModelReader} for {@link org.recycledattention.model.load.ModelLoader}.
 */
package org.recycledattention.model.format.safetensors;
