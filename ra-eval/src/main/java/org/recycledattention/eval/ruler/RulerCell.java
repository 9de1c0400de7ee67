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
 * @param decodeTokensPerSecond generated tokens per second of decode time, over all samples
 * @param speedupVsFull decode tokens/s over full attention's on the same task and length
 */
public record RulerCell(String task, int length, String policy, int budget, int samples, double accuracy, double decodeTokensPerSecond,
    double speedupVsFull) {}
