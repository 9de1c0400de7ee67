package org.recycledattention.eval.bench;

/**
 * The decode steps of one kind in a {@link BenchCell}: how many, and their time distribution. JSON
 * field names are these component names in snake_case, and stable.
 *
 * @param kind {@code full} (every layer attended the main store, or what eviction kept of it),
 *     {@code partial} (every layer attended its partial cache) or {@code mixed}
 * @param steps how many of the cell's timed steps were of this kind
 * @param msMean mean milliseconds per step
 * @param msMedian median
 * @param msP10 10th percentile
 * @param msP90 90th percentile
 * @param attentionMsMean mean milliseconds in the KV cache's attention
 * @param policyMsMean mean milliseconds in the policy (plans, selection, gathers, eviction)
 * @param kvBytesRead mean key/value bytes attention read per step
 */
public record StepTimes(String kind, int steps, double msMean, double msMedian, double msP10, double msP90, double attentionMsMean,
    double policyMsMean, double kvBytesRead) {}
