/**
 * What every model format produces and the extension point for a new one: a {@link
 * org.recycledattention.model.format.ModelReader} recognises its files from their first bytes and
 * reads them into {@link org.recycledattention.model.format.LoadedWeights} (a {@link
 * org.recycledattention.model.format.ModelConfig}, memory-mapped {@link
 * org.recycledattention.model.format.Weights} and the resource that owns the mapping). The readers
 * live in the sub-packages ({@code gguf}, {@code llama2c}, {@code safetensors}) and are registered
 * by the composition root, not here.
 */
package org.recycledattention.model.format;
