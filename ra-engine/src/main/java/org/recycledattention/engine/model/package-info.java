/**
 * Loaded models: file formats (GGUF, safetensors, llama2.c), weights as memory-mapped tensors, and
 * the Llama-family forward pass. Depends on ra-api; nothing here knows which policy or backend runs.
 */
package org.recycledattention.engine.model;
