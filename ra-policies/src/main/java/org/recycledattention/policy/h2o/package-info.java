/**
 * H2O (Heavy-Hitter Oracle): keep the tokens with the largest accumulated attention plus a recent
 * window, evicting the rest for real.
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li>Key {@code heavy-ratio} r in [0, 1] (default 0.5, the paper's K/2 + K/2): {@code heavy =
 *       floor(K·r)} heavy hitters (r taken as the decimal written, so 0.29 of 100 is 29) and {@code recent = K - heavy} recent tokens, K = {@code
 *       ra.budget}.
 *   <li>Every step (prefill chunks, single-token prefill steps, the last chunk and decode steps) asks
 *       for {@code Full(ScoreRequest(SUM, MAX))}: the attention probabilities summed over the
 *       step's queries and reduced over the query heads of each KV group by MAX. They are added to a
 *       per-(layer, KV head) accumulator over the kept entries. Scores of tokens are only ever
 *       accumulated while the token is kept; an evicted token's history is gone.
 *   <li>The recent window is the tokens with position {@code > p - recent}, p the position of the
 *       step's newest token (positions are contiguous, so these are the {@code recent} newest
 *       tokens). They are never evicted; all other kept tokens are candidates.
 *   <li>After {@code PREFILL_END} and {@code DECODE} steps, when the main store holds more than K
 *       entries, candidates with the lowest accumulated score are evicted, per KV head
 *       independently, ties to the older position. One decode step evicts one entry per head
 *       ({@link org.recycledattention.api.cache.WorkingSet#evict}); a prompt longer than K is cut
 *       with one {@link org.recycledattention.api.cache.WorkingSet#retain} that keeps the recent
 *       window plus the {@code K - recent} best candidates (the same set repeated single
 *       evictions would leave). Nothing is evicted during {@code PREFILL} chunks.
 *   <li>Fallback, only reachable with non-contiguous positions: when no candidate exists the oldest
 *       entry is evicted.
 * </ul>
 *
 * <h2>State</h2>
 * Per layer and KV head, an accumulator and a position per slot, kept in step with the backend's
 * swap-remove. During prefill these arrays hold one float per prompt token (H2O accumulates over
 * the whole prompt on the host; scores are copied with {@link
 * org.recycledattention.api.cache.Scores#copyTo}). After the first cut they shrink to K + 1.
 * Decode work is O(K) per layer and head, allocation-free.
 */
package org.recycledattention.policy.h2o;
