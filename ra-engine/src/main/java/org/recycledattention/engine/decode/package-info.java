/**
 * The decode loop: prefill with full attention, then one token at a time with the policy's plans;
 * sampling; statistics. Prefill is excluded from decode timings, as in the paper.
 */
package org.recycledattention.engine.decode;
