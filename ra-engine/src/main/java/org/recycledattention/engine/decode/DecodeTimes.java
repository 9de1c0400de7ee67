package org.recycledattention.engine.decode;

/**
 * Cumulative decode counters of a {@link Session} ({@link Session#decodeTimes()}); the difference of
 * two readings describes the steps between them. Times are {@link System#nanoTime()} differences.
 *
 * @param stepNanos time in {@link Session#step}
 * @param attendNanos time in the KV cache's {@code attend}
 * @param policyNanos time in the policy's {@code plan} and {@code observe}, with the backend work
 *     they ask for (top-K selection, gathers, eviction)
 * @param fullLayerSteps layer-steps with a full plan
 * @param partialLayerSteps layer-steps with a partial plan
 * @param kvBytesRead key/value bytes the cache's attention has read (prefill included)
 */
public record DecodeTimes(long stepNanos, long attendNanos, long policyNanos, long fullLayerSteps, long partialLayerSteps,
    long kvBytesRead) {}
