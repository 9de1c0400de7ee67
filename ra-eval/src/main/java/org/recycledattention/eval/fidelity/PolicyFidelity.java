package org.recycledattention.eval.fidelity;

/**
 * One policy's fidelity over a stream. JSON field names are the record's component names.
 *
 * @param policy policy name
 * @param steps compared steps
 * @param agreement share of steps whose argmax equals full attention's
 * @param meanKl mean KL(full ‖ policy), nats
 * @param maxKl largest per-step KL(full ‖ policy), nats
 * @param perplexity perplexity of the stream's next tokens under the policy
 * @param meanTokensAttended mean entries attended per layer-step during decode
 * @param fullStepShare share of decode layer-steps that attended the whole cache
 */
public record PolicyFidelity(String policy, long steps, double agreement, double meanKl, double maxKl, double perplexity, double meanTokensAttended,
    double fullStepShare) {}
