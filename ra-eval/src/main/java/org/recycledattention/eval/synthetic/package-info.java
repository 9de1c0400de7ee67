/**
 * Synthetic benchmark models: Llama-architecture models with random weights drawn from a seed and
 * a geometry given by keys ({@code synthetic:layers=4,dim=256,...}) or a named preset
 * ({@code synthetic:bench-small}, {@code synthetic:llama-3.2-1b}). They run through the same loading
 * path as real files: the weights are written as GGUF and read back.
 */
package org.recycledattention.eval.synthetic;
