/**
 * llama2.c's legacy checkpoint ({@code run.c}'s {@code .bin}): a header of seven little-endian
 * int32 ({@code dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len}) and f32
 * weights in a fixed order. A negative {@code vocab_size} means a separate classifier follows the
 * other weights. The header is checked against the file size before anything is mapped.
 *
 * <p>Depends on {@code engine.model} and {@code engine.tensor}.
 */
package org.recycledattention.model.format.llama2c;
