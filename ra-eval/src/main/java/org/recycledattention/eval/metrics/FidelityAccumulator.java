package org.recycledattention.eval.metrics;

import org.recycledattention.engine.decode.Sampler;

/**
 * Accumulates, step by step, how a policy's next-token distributions compare with full
 * attention's on the same teacher-forced stream.
 *
 * <p>Not thread-safe.
 */
public final class FidelityAccumulator {
  private final double[] logFull;
  private final double[] logPolicy;
  private long steps;
  private long agreements;
  private double klSum;
  private double klMax;
  private double nllSum;
  private long nllCount;

  /** @param vocabSize logits per step */
  public FidelityAccumulator(int vocabSize) {
    this.logFull = new double[vocabSize];
    this.logPolicy = new double[vocabSize];
  }

  /**
   * Adds one step.
   *
   * @param fullLogits full attention's logits at this step
   * @param policyLogits the policy's logits at this step
   * @param nextToken the token the stream actually continues with (for perplexity), or -1 at the end
   */
  public void add(float[] fullLogits, float[] policyLogits, int nextToken) {
    if (fullLogits.length != logFull.length || policyLogits.length != logFull.length) {
      throw new IllegalArgumentException("expected " + logFull.length + " logits, got " + fullLogits.length + " and " + policyLogits.length);
    }
    Distributions.logSoftmax(fullLogits, logFull);
    Distributions.logSoftmax(policyLogits, logPolicy);
    double kl = Distributions.klDivergence(logFull, logPolicy, logFull.length);
    steps++;
    klSum += kl;
    klMax = Math.max(klMax, kl);
    if (Sampler.argmax(fullLogits) == Sampler.argmax(policyLogits)) {
      agreements++;
    }
    if (nextToken >= 0) {
      nllSum -= logPolicy[nextToken];
      nllCount++;
    }
  }

  public long steps() {
    return steps;
  }

  /** Share of steps whose argmax equals full attention's, in [0, 1]; 1 when there were no steps. */
  public double agreement() {
    return steps == 0 ? 1 : (double) agreements / steps;
  }

  /** Mean KL(full ‖ policy) in nats. */
  public double meanKl() {
    return steps == 0 ? 0 : klSum / steps;
  }

  /** Largest KL(full ‖ policy) of any step, in nats. */
  public double maxKl() {
    return klMax;
  }

  /** exp(mean negative log-likelihood) of the stream's next tokens under the policy. */
  public double perplexity() {
    return nllCount == 0 ? Double.NaN : Math.exp(nllSum / nllCount);
  }
}
