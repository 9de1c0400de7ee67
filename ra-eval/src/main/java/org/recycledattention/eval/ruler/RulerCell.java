package org.recycledattention.eval.ruler;

/**
 * Accuracy and decode speed of one policy on one task at one length. JSON field names are these
 * component names in snake_case.
 *
 * @param task task id
 * @param length target prompt length in tokens
 * @param policy policy name
 * @param budget the budget K (0 for full attention)
 * @param samples samples scored
 * @param accuracy mean score, percent (RULER's string_match_all, partial credit)
 * @param fullSteps percent of the decode layer-steps that attended every token so far (the whole
 *     context): 100 for full attention, about 1/stride for Recycled Attention's fixed schedule, 0
 *     for an evicting policy once the sequence is longer than its budget
 * @param decodeTokensPerSecond generated tokens per second of decode time, over all samples
 * @param speedupVsFull decode tokens/s over full attention's on the same task and length
 */
public record RulerCell(String task, int length, String policy, int budget, int samples, double accuracy, double fullSteps, double decodeTokensPerSecond,
    double speedupVsFull) {}
