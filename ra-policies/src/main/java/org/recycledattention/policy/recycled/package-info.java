/**
 * Recycled Attention (arXiv 2411.05787; as RefreshKV, ACL 2025): the full cache {@code C_f} is
 * kept; most decode steps attend only a gathered partial cache {@code C_p} of K tokens per layer
 * and KV head, which periodic full steps rebuild from their attention scores.
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li><b>Budget</b> K = {@code ra.budget}: entries per layer and KV head in {@code C_p}. The main
 *       store ({@code C_f}) is never evicted, so slot order is position order there.
 *   <li><b>Prefill chunks</b>: {@code Full.NO_SCORES}, nothing changes.
 *   <li><b>Full step</b> ({@code PREFILL_END} for every layer, and the decode steps the schedule
 *       picks): {@code Full(ScoreRequest(LAST_QUERY, group-reduction))}, then {@code sel =
 *       scores.topK(K, pool-kernel, local-tokens)} (computed by the backend, on the device where it
 *       has one; the {@code local-tokens} most recent tokens are always inside the K) and {@code
 *       gatherPartial(sel)}. The selected pooled scores rank {@code C_p}'s entries for eviction
 *       (kept as K host-side keys per head, never an n-sized array). The current token of a decode
 *       full step is an ordinary candidate of the selection. Positions are never re-rotated.
 *   <li><b>Recycled step</b> (every other decode step): {@code Partial.NO_SCORES} — {@code C_p}
 *       plus the current token. Afterwards the current token is copied into {@code C_p}: appended
 *       while {@code C_p} holds fewer than K entries (so with K at least the sequence length every
 *       step is exactly full attention), otherwise it replaces per KV head the entry with the lowest
 *       score from the last full step, ties to the older entry. Entries appended since the last
 *       full step are protected (score +inf); when only protected entries are left the oldest
 *       appended one is replaced. The resulting sequence of replaced slots is cyclic with period K,
 *       which makes each replacement O(log K) (a heap built in O(K) at the full step).
 *   <li><b>Fixed schedule</b> ({@code schedule=fixed}): decode step d ({@code
 *       DecodeStep.decodeIndex()}, 0-based) is a full step iff {@code (d + 1) % stride == 0}, for
 *       all layers together: {@code stride - 1} recycled steps between full steps; {@code stride=1}
 *       is full attention with a selection at every step.
 *   <li><b>Dynamic schedule</b> ({@code schedule=dynamic}, query similarity): at decode steps with
 *       {@code (d + 1) % check-interval == 0} each layer compares the current query, averaged over
 *       its query heads ({@code headDim} values), with the averaged query of its last full step
 *       (for {@code PREFILL_END}: the last prompt token's query, the last row of the step's query
 *       array) by cosine similarity, and does a full step iff the similarity is below {@code
 *       similarity-threshold}. A zero mean query has similarity 0. Other decode steps are recycled.
 *       Layers decide independently, so their effective strides differ ({@link
 *       org.recycledattention.policy.recycled.RecycledPolicy#fullSteps}).
 *   <li>A layer that has no partial cache yet (a sequence decoded without a prefill end) does a
 *       full step whatever the schedule says, since a partial plan needs a partial cache.
 * </ul>
 */
package org.recycledattention.policy.recycled;
