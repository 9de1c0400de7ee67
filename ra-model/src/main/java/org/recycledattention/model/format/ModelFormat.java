package org.recycledattention.model.format;



/** The model file formats the engine reads. {@code ModelLoader} detects which one a path holds. */
public enum ModelFormat {
  /** GGUF v3: one file, metadata and tensors (llama.cpp). */
  GGUF,
  /** llama2.c's legacy {@code .bin}: a 7-int header and f32 weights. */
  LLAMA2C,
  /** Hugging Face: a directory (or a {@code .safetensors} file) with {@code config.json}. */
  SAFETENSORS
}
