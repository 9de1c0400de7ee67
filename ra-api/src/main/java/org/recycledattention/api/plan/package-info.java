/**
 * What a policy tells attention to read at one layer and step: a {@link
 * org.recycledattention.api.plan.StepPlan} (full attention, or the partial cache), with the scores it
 * wants back ({@link org.recycledattention.api.plan.ScoreRequest}: {@link
 * org.recycledattention.api.plan.ScoreMode}, {@link org.recycledattention.api.plan.GroupReduction}).
 * Plain values shared by policies and backends, depending on nothing.
 */
package org.recycledattention.api.plan;
