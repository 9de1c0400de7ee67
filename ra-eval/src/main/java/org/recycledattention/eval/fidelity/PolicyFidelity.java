package org.recycledattention.eval.fidelity;

import java.util.List;

/**
 * One policy's fidelity over a stream. JSON field names are the record's component names.
 *
 * @param policy policy name, or the label of a variant ({@code recycled:stride=20})
 * @param steps compared steps
 * @param agreement share of steps whose argmax equals full attention's
 * @param meanKl mean KL(full ‖ policy), nats
 * @param maxKl largest per-step KL(full ‖ policy), nats
 * @param perplexity perplexity of the stream's next tokens under the policy
 * @param meanTokensAttended mean entries attended per layer-step during decode
 * @param fullStepShare share of decode layer-steps that attended the whole cache
 */
public record PolicyFidelity(String policy, long steps, double agreement, double meanKl, double maxKl, double perplexity, double meanTokensAttended,
    double fullStepShare) {
  /** These results under another label (a variant such as {@code recycled:stride=20} of the policy that ran). */
  public PolicyFidelity labelled(String label) {
    return new PolicyFidelity(label, steps, agreement, meanKl, maxKl, perplexity, meanTokensAttended, fullStepShare);
  }

  /**
   * One policy's results over several streams as one: means weighted by compared steps (perplexity
   * as the exponential of the weighted mean log-perplexity, so of the pooled negative log-likelihood),
   * the largest KL of all.
   *
   * @throws IllegalArgumentException when {@code parts} is empty or mixes policies
   */
  public static PolicyFidelity combine(List<PolicyFidelity> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("nothing to combine");
    }
    String name = parts.get(0).policy();
    long steps = 0;
    double agreement = 0;
    double kl = 0;
    double maxKl = 0;
    double logPpl = 0;
    double attended = 0;
    double fullShare = 0;
    for (PolicyFidelity f : parts) {
      if (!f.policy().equals(name)) {
        throw new IllegalArgumentException("cannot combine results of " + name + " and " + f.policy());
      }
      steps += f.steps();
      agreement += f.agreement() * f.steps();
      kl += f.meanKl() * f.steps();
      maxKl = Math.max(maxKl, f.maxKl());
      logPpl += Math.log(f.perplexity()) * f.steps();
      attended += f.meanTokensAttended() * f.steps();
      fullShare += f.fullStepShare() * f.steps();
    }
    if (steps == 0) {
      return parts.get(0);
    }
    return new PolicyFidelity(name, steps, agreement / steps, kl / steps, maxKl, Math.exp(logPpl / steps), attended / steps, fullShare / steps);
  }
}
