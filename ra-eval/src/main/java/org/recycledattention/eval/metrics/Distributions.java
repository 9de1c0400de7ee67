package org.recycledattention.eval.metrics;

/** Functions of logit vectors. Stateless. */
public final class Distributions {
  private Distributions() {}

  /** log softmax of {@code logits} in double precision, into {@code out}. */
  public static void logSoftmax(float[] logits, double[] out) {
    if (out.length < logits.length) {
      throw new IllegalArgumentException("out has " + out.length + " elements, logits " + logits.length);
    }
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double sum = 0;
    for (float l : logits) {
      sum += Math.exp(l - max);
    }
    double logZ = max + Math.log(sum);
    for (int i = 0; i < logits.length; i++) {
      out[i] = logits[i] - logZ;
    }
  }


  /**
   * KL(p ‖ q) = Σ p_i (log p_i − log q_i) from log-probabilities, in nats. Terms with p_i = 0
   * contribute 0; never negative (clamped at 0 against rounding).
   */
  public static double klDivergence(double[] logP, double[] logQ, int n) {
    double kl = 0;
    for (int i = 0; i < n; i++) {
      double lp = logP[i];
      if (lp == Double.NEGATIVE_INFINITY) {
        continue;
      }
      kl += Math.exp(lp) * (lp - logQ[i]);
    }
    return Math.max(0, kl);
  }

  /** Difference between the largest and second-largest logit (a near-tie detector). */
  public static double top1Top2Margin(float[] logits) {
    double a = Double.NEGATIVE_INFINITY;
    double b = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      if (l > a) {
        b = a;
        a = l;
      } else if (l > b) {
        b = l;
      }
    }
    return a - b;
  }
}
