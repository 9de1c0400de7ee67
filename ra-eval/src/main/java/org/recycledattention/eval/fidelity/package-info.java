/**
 * Fidelity to full attention: every policy decodes the same token stream teacher-forced, in lock
 * step with full attention, and each step's next-token distribution is compared with full
 * attention's (top-1 agreement, KL(full ‖ policy)) and scored against the stream (perplexity).
 * Lock step keeps memory at one logits vector per policy, whatever the stream length.
 */
package org.recycledattention.eval.fidelity;
