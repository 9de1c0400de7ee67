/**
 * Trains the project's retrieval probe model: a small Llama-architecture model (RMSNorm, RoPE on
 * interleaved pairs, grouped-query attention, SwiGLU — exactly the forward pass the engine runs)
 * with a word-level SentencePiece-style vocabulary, trained with DJL's PyTorch engine (autograd,
 * CPU) on generated RULER-style retrieval tasks so that full attention solves them. The result is
 * written as GGUF and read by the engine like any other model.
 *
 * <p>Why a model of our own: no pretrained model that can retrieve over long contexts is available
 * offline on the machines this project is built on, and the paper's claims are about how policies
 * degrade retrieval. A model that solves the tasks with full attention makes that measurable.
 */
package org.recycledattention.train;
