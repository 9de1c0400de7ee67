package org.recycledattention.engine.decode;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Chooses the next token from logits as a {@link SamplingConfig} says: greedy (argmax, the first
 * index on ties) when the temperature is 0; otherwise softmax of {@code logits / temperature},
 * restricted to the top-k most likely tokens, then to the smallest prefix (most likely first)
 * whose renormalised probability reaches top-p, then sampled with a generator seeded by {@code
 * seed}. Ties in probability order by lower id. The same seed gives the same tokens.
 *
 * <p>Keeps its scratch arrays between calls. <b>NOTE:</b> not thread-safe; one per sequence.
 */
public final class Sampler {
  private final SamplingConfig config;
  private final SplittableRandom random;
  private double[] probs = new double[0];
  private long[] order = new long[0];

  public Sampler(SamplingConfig config) {
    this.config = requireNonNull(config, "config is null");
    this.random = new SplittableRandom(config.seed());
  }

  /** The index of the largest logit; the first one on ties; NaN never wins. */
  public static int argmax(float[] logits) {
    int best = 0;
    float max = Float.NEGATIVE_INFINITY;
    boolean found = false;
    for (int i = 0; i < logits.length; i++) {
      if (logits[i] > max || !found && !Float.isNaN(logits[i])) {
        max = logits[i];
        best = i;
        found = true;
      }
    }
    return best;
  }

  /** The next token for {@code logits} (not modified). */
  public int sample(float[] logits) {
    if (config.temperature() == 0) {
      return argmax(logits);
    }
    int n = logits.length;
    if (probs.length < n) {
      probs = new double[n];
      order = new long[n];
    }
    float max = logits[argmax(logits)];
    double inv = 1.0 / config.temperature();
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double p = Math.exp((logits[i] - max) * inv);
      probs[i] = p;
      sum += p;
    }
    boolean truncate = config.topK() > 0 && config.topK() < n || config.topP() < 1;
    if (!truncate) {
      double r = random.nextDouble() * sum;
      double acc = 0;
      for (int i = 0; i < n; i++) {
        acc += probs[i];
        if (r < acc) {
          return i;
        }
      }
      return lastNonZero(n);
    }
    // order by probability, descending, ties by lower id: key = (MAX - bits(p)) << 32 | id
    for (int i = 0; i < n; i++) {
      float p = (float) (probs[i] / sum);
      order[i] = ((long) (Integer.MAX_VALUE - Float.floatToIntBits(p)) << 32) | i;
    }
    Arrays.sort(order, 0, n);
    int keep = config.topK() > 0 ? Math.min(config.topK(), n) : n;
    double kept = 0;
    for (int j = 0; j < keep; j++) {
      kept += probs[(int) order[j]];
    }
    if (config.topP() < 1) {
      double acc = 0;
      for (int j = 0; j < keep; j++) {
        acc += probs[(int) order[j]];
        if (acc >= config.topP() * kept) {
          keep = j + 1;
          kept = acc;
          break;
        }
      }
    }
    double r = random.nextDouble() * kept;
    double acc = 0;
    for (int j = 0; j < keep; j++) {
      int id = (int) order[j];
      acc += probs[id];
      if (r < acc) {
        return id;
      }
    }
    return (int) order[keep - 1];
  }

  private int lastNonZero(int n) {
    for (int i = n - 1; i >= 0; i--) {
      if (probs[i] > 0) {
        return i;
      }
    }
    return 0;
  }
}
