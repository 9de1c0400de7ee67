package org.recycledattention.engine.decode;

/**
 * Measurements of one generation. Decode figures exclude prefill, as in the paper.
 *
 * @param prefillMillis wall time of the prefill
 * @param decodeMillis wall time of the decode steps
 * @param decodeTokensPerSecond generated tokens per second of decode time
 * @param fullSteps layer-steps that attended the whole main store during decode
 * @param partialSteps layer-steps that attended the partial cache during decode
 * @param meanTokensAttended mean entries attended per layer-step during decode
 * @param workingSetChanges layer-steps during decode after which the working set changed
 * @param peakResidentKvBytes the largest key/value footprint of the cache
 * @param kvBytesRead key/value bytes read by attention during decode
 */
public record GenerationStats(double prefillMillis, double decodeMillis, double decodeTokensPerSecond, long fullSteps, long partialSteps,
    double meanTokensAttended, long workingSetChanges, long peakResidentKvBytes, long kvBytesRead) {}
