/**
 * Full attention ("vanilla"): every step attends every cached token. The reference that every other
 * policy is compared with; reads no budget and takes no keys.
 *
 * <p>Semantics: the plan is always {@code StepPlan.Full.NO_SCORES}; {@code observe} never touches
 * the working set. Needs no optional backend capability.
 */
package org.recycledattention.policy.full;
