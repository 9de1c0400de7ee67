/**
 * Writing GGUF v3 files that llama.cpp accepts: {@link org.recycledattention.model.format.gguf.writer.GgufWriter} (metadata of
 * every value type, tensor directory, 32-byte alignment, tensor data in F32/F16/BF16/Q8_0/Q4_0),
 * {@link org.recycledattention.model.format.gguf.writer.GgmlQuantizer} (bit-exact ports of ggml's reference quantizers) and
 * {@link org.recycledattention.model.format.gguf.writer.GgufModelWriter} (a loaded Llama-family model with its tokenizer,
 * under llama.cpp's key and tensor names). Files are written to a temporary sibling and renamed when complete, so a
 * reader never sees half a file.
 *
 * <p>Depends on {@code engine.model}, {@code engine.tensor}, {@code engine.gguf} (value types) and
 * {@code engine.tokenizer}.
 */
package org.recycledattention.model.format.gguf.writer;
