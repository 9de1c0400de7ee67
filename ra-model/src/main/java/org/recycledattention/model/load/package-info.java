/**
 * Loading a model from a path: {@link org.recycledattention.model.load.ModelLoader} asks each
 * registered {@link org.recycledattention.model.format.ModelReader} in turn whether it recognises the
 * file, reads it, and attaches the tokenizer a {@link org.recycledattention.model.load.TokenizerFactory}
 * builds ({@link org.recycledattention.model.load.ModelTokenizers}: from GGUF metadata, tokenizer.json
 * or llama2.c's tokenizer.bin). The loader knows no format itself; {@code
 * org.recycledattention.engine.wiring.Models} registers the built-in ones.
 */
package org.recycledattention.model.load;
