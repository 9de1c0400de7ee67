/** {@code ra export-gguf} and {@code ra tokenize}: commands about model files rather than decoding. */
package org.recycledattention.cli.model;
