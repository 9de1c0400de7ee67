/**
 * Writing GGUF v3 files that llama.cpp accepts: {@link org.recycledattention.model.format.gguf.writer.GgufWriter} (metadata of
 * every value type, tensor directory, 32-byte alignment, tensor data in F32/F16/BF16, Q8_0,
 * Q4_0, Q5_0, Q5_1, Q4_K, Q5_K and Q6_K), {@link org.recycledattention.model.format.gguf.writer.GgmlQuantizer}
 * (bit-exact ports of ggml's reference quantizers, the ones {@code llama-quantize} uses without an importance matrix) and
 * {@link org.recycledattention.model.format.gguf.writer.GgufModelWriter} (a loaded Llama-family model with its tokenizer,
 * under llama.cpp's key and tensor names, with llama-quantize's fallbacks for rows that are not whole blocks). Files are written to a temporary sibling and renamed when complete, so a
 * reader never sees half a file.
 *
 * <p>Depends on ra-api (its exception type), {@code model.format} (the weights it writes), {@code model.format.gguf} (value
 * types, magic and alignment), {@code model.llama} (the model and its RoPE settings), {@code model.tensor},
 * {@code model.tokenizer} and {@code model.io} (atomic output files).
 */
package org.recycledattention.model.format.gguf.writer;
