/**
 * StreamingLLM ("local"): the attention sinks plus a sliding window of the most recent tokens, with
 * real eviction of everything else.
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li>Key {@code sink-tokens} S (default 4): positions {@code 0 .. S-1} are never evicted. The
 *       budget K ({@code ra.budget}) must exceed S, so that at least one recent token is kept.
 *   <li>After a {@code PREFILL_END} or {@code DECODE} step the main store holds the S sinks plus the
 *       {@code K - S} most recent tokens (fewer while the sequence is shorter than K). Nothing is
 *       evicted during {@code PREFILL} chunks.
 *   <li>A prompt longer than K is cut with one {@link org.recycledattention.api.cache.WorkingSet#retain}
 *       (not {@code L - K} single evictions). While decoding, one token per step leaves through
 *       {@link org.recycledattention.api.cache.WorkingSet#evict}.
 *   <li>Every plan is {@code Full.NO_SCORES}: the attention reads exactly the kept entries.
 *   <li>Every KV head keeps the same positions.
 * </ul>
 *
 * <h2>Slot bookkeeping</h2>
 * Eviction is swap-remove. After the cut, slots {@code S .. K-1} hold the recent window in position
 * order; each decode step appends the new token at slot K and evicts the oldest window entry, whose
 * slot the new token then takes. The window therefore behaves as a ring over slots {@code S .. K-1}
 * and the slot to evict is found in O(1), without reading positions.
 */
package org.recycledattention.policy.local;
