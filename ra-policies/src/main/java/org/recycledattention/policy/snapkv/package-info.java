/**
 * SnapKV: one selection after prefill from the last prompt token's attention, never refreshed
 * (the paper's observation window of 1 query, max pooling with kernel 7). Recycled Attention that
 * never refreshes its partial cache is exactly this policy.
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li>Key {@code pool-kernel} (odd, default 7): 1-D max pooling of the scores over neighbouring
 *       slots before the top-K, so the neighbours of a peak are kept with it.
 *   <li>{@code PREFILL} chunks: {@code Full.NO_SCORES}, the working set is not touched.
 *   <li>{@code PREFILL_END}: {@code Full(LAST_QUERY, MAX)}; then {@code sel = scores.topK(K,
 *       pool-kernel, 0)} per KV head and {@code retain(sel)} (skipped when every entry is
 *       selected). Each kept entry remembers its pooled score.
 *   <li>{@code DECODE}: {@code Full.NO_SCORES}. After the step the new token is in the main store;
 *       tokens added after the selection have no selection score and count as protected (score
 *       +inf). While the store holds more than K entries, the entry with the lowest (score,
 *       position) is evicted per KV head: the lowest-scored selected token first, ties to the
 *       older; once only protected tokens remain, the oldest of them (a sliding window).
 * </ul>
 * The eviction order is fixed by the selection (each evicted slot receives the new token through
 * swap-remove, and every newcomer is newer than all entries still waiting), so it is ranked once
 * with a heap ({@link org.recycledattention.policy.support.ReplacementCycle}): O(K) at the
 * selection, O(log K) per decode step and head, allocation-free. A sequence decoded without a
 * prefill end has no selection: every token is protected and the oldest goes first.
 */
package org.recycledattention.policy.snapkv;
