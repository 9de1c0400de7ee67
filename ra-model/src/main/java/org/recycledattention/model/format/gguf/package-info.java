/**
 * GGUF v3 (and v2): the container llama.cpp writes. {@link org.recycledattention.model.format.gguf.GgufFile}
 * parses the header, every metadata value and the tensor directory of a memory-mapped file, checking
 * each count, length and offset against the file size before it allocates anything, so a hostile or
 * truncated header is a {@link org.recycledattention.model.ModelFormatException} with the
 * byte offset, never an {@code OutOfMemoryError}. {@link org.recycledattention.model.format.gguf.GgufModelReader}
 * maps llama-family metadata ({@code llama.*}, {@code mistral.*}, {@code qwen2.*}) to a
 * {@link org.recycledattention.model.format.ModelConfig} and the {@code blk.N.*} tensors to
 * {@link org.recycledattention.model.format.Weights}.
 *
 * <p>Depends on {@code engine.model} and {@code engine.tensor}.
 */
package org.recycledattention.model.format.gguf;
