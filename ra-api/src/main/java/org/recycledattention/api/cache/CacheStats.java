package org.recycledattention.api.cache;

/**
 * Counters of one cache since it was allocated. Bytes are of key/value storage only.
 *
 * @param residentBytes key/value bytes held now (main store plus partial cache, counting entries,
 *     not spare capacity)
 * @param peakResidentBytes the largest {@code residentBytes} seen
 * @param bytesRead key/value bytes read by attention, cumulative: always {@code tokensAttended ×
 *     kvHeads × headDim × 2 × storage bytes}
 * @param tokensAttended entries the newest query of each call attended (for a causal chunk: every
 *     resident entry), summed over calls; one entry attended by every head of a layer counts once
 * @param attendCalls calls of {@code attend}
 */
public record CacheStats(long residentBytes, long peakResidentBytes, long bytesRead, long tokensAttended, long attendCalls) {}
