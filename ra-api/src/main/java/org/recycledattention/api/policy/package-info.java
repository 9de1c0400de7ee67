/**
 * Attention policies: per layer and step, which cached tokens attention reads.
 *
 * <h2>One step, for one layer</h2>
 * <ol>
 *   <li>The engine computes q, k, v for the new token(s) and appends k, v to the cache
 *       ({@code KvCache.append}).
 *   <li>{@code plan = policy.plan(layer, step)}: {@link org.recycledattention.api.plan.StepPlan.Full}
 *       (every resident entry) or {@link org.recycledattention.api.plan.StepPlan.Partial} (the
 *       gathered partial cache plus the newest token), and whether scores come back.
 *   <li>{@code result = cache.attend(layer, q, queries, plan, out)}.
 *   <li>{@code policy.observe(layer, step, new Observation(plan, result), workingSet)}: the policy
 *       changes the working set through {@link org.recycledattention.api.cache.WorkingSet}
 *       (evict, retain, gather the partial cache). The backend moves the data, so a GPU backend
 *       never ships an n-sized array to the host on the hot path.
 * </ol>
 *
 * <p>Policies never hold key/value data. Their state is small (positions, K-sized score arrays)
 * and one policy instance serves one sequence.
 */
package org.recycledattention.api.policy;
