package org.recycledattention.engine.decode;

/**
 * How the next token is chosen. {@code temperature == 0} is greedy (argmax, first index on ties).
 *
 * @param temperature 0 for greedy, else divides the logits
 * @param topK keep the k most likely tokens; 0 disables
 * @param topP keep the smallest set whose probability reaches p; 1 disables
 * @param seed seed of the sampler's random generator
 */
public record SamplingConfig(double temperature, int topK, double topP, long seed) {
  public static final SamplingConfig GREEDY = new SamplingConfig(0, 0, 1, 0);

  public SamplingConfig {
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
    }
  }
}
