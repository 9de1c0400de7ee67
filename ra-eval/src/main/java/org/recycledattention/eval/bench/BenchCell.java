package org.recycledattention.eval.bench;

import java.util.List;

/**
 * One measured cell: a policy on a backend at one context length. JSON field names are these
 * component names in snake_case, and stable.
 *
 * @param context tokens in the cache before decoding
 * @param policy policy name
 * @param backend backend name
 * @param budget the budget K the policy ran with (0 for full attention)
 * @param decodeTokens tokens decoded
 * @param tokensPerSecond decoded tokens per second of decode time
 * @param msPerTokenMedian median milliseconds per decode step
 * @param msPerTokenP10 10th percentile
 * @param msPerTokenP90 90th percentile
 * @param speedupVsFull tokens/s over full attention's on the same backend and context, in this run
 * @param theoreticalSpeedup the attention-bound speedup: 1/(1/S + K/n) for recycled with stride S,
 *     n/K for evicting policies, 1 for full attention
 * @param kvBytesReadPerToken key/value bytes attention read per decoded token
 * @param residentKvBytes key/value bytes held at the end
 * @param meanTokensAttended mean entries attended per layer-step
 * @param stepTimes the time distribution of each kind of step (full, partial, mixed) that occurred
 * @param attentionMsPerToken mean milliseconds per token in the KV cache's attention
 * @param policyMsPerToken mean milliseconds per token in the policy (plans, selection, gathers, eviction)
 * @param denseMsPerToken the rest of a token's time: the model's dense work (projections, MLP, logits)
 * @param attentionGbPerS key/value bytes attention read over its time, GB/s
 * @param readBandwidthGbPerS the machine's read bandwidth measured in the same run ({@code ra bench
 *     --bandwidth}), GB/s; NaN when not measured
 */
public record BenchCell(int context, String policy, String backend, int budget, int decodeTokens, double tokensPerSecond, double msPerTokenMedian,
    double msPerTokenP10, double msPerTokenP90, double speedupVsFull, double theoreticalSpeedup, double kvBytesReadPerToken, long residentKvBytes,
    double meanTokensAttended, List<StepTimes> stepTimes, double attentionMsPerToken, double policyMsPerToken, double denseMsPerToken,
    double attentionGbPerS, double readBandwidthGbPerS) {
  public BenchCell {
    stepTimes = List.copyOf(stepTimes);
  }
}
