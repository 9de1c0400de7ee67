package org.recycledattention.engine.decode;

/**
 * One generation: prompt ids in, up to {@code maxTokens} generated ids out.
 *
 * @param promptIds the prompt, at least one id (usually starting with BOS)
 * @param maxTokens the most tokens to generate, >= 1
 * @param sampling greedy or sampled
 * @param stopAtEos stop when the model emits its end-of-sequence token
 * @param allowContextOverflow let prompt + maxTokens exceed the model's context length
 */
public record GenerationRequest(int[] promptIds, int maxTokens, SamplingConfig sampling, boolean stopAtEos, boolean allowContextOverflow) {
  public static GenerationRequest greedy(int[] promptIds, int maxTokens) {
    return new GenerationRequest(promptIds, maxTokens, SamplingConfig.GREEDY, false, false);
  }
}
