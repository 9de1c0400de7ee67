package org.recycledattention.model.format;

import org.recycledattention.api.model.ModelShape;

/**
 * Hyper-parameters of a Llama-family model, whatever file it came from.
 *
 * @param architecture "llama", "qwen2", "mistral", ...
 * @param dim embedding width
 * @param ffnDim SwiGLU hidden width
 * @param layers transformer layers
 * @param heads query heads
 * @param kvHeads key/value heads
 * @param headDim elements per head
 * @param vocabSize vocabulary size
 * @param contextLength the longest sequence the model supports
 * @param normEps RMSNorm epsilon
 * @param ropeTheta RoPE base frequency
 * @param ropeInterleaved true: rotate pairs (2i, 2i+1) (GGUF, llama2.c); false: rotate (i, i + headDim/2) (HF)
 * @param ropeScaling llama3-style frequency scaling, or null
 * @param qkvBias q/k/v projections have biases (Qwen2)
 * @param tiedOutput the output projection is the token embedding
 */
public record ModelConfig(String architecture, int dim, int ffnDim, int layers, int heads, int kvHeads, int headDim, int vocabSize,
    int contextLength, float normEps, float ropeTheta, boolean ropeInterleaved, RopeScaling ropeScaling, boolean qkvBias, boolean tiedOutput) {

  /** Llama 3.x RoPE frequency scaling ("rope_type": "llama3"). */
  public record RopeScaling(float factor, float lowFreqFactor, float highFreqFactor, int originalContextLength) {}

  public ModelShape shape() {
    return new ModelShape(layers, heads, kvHeads, headDim, contextLength);
  }
}
