/**
 * Models, independent of decoding: file formats ({@code format}, with the GGUF writer beneath the
 * reader), tensors and their kernels ({@code tensor}), tokenizers ({@code tokenizer}), the forward pass
 * ({@code llama}) and the loader that ties them together ({@code load}). Depends on ra-api for its
 * shared values only; nothing here knows which policy or backend runs.
 *
 * <p>This package holds the two exceptions every layer above may throw: {@link
 * org.recycledattention.model.ModelFormatException} (a file that is not what it claims, exit 2) and
 * {@link org.recycledattention.model.NumericalException} (NaN or infinity in a layer's output).
 */
package org.recycledattention.model;
