/**
 * The decode benchmark: tokens per second against context length for each policy and backend.
 *
 * <p>Protocol (the paper's): batch 1, greedy, decode phase only — prefill is excluded from every
 * decode figure. For each context length the cache is filled to that depth ({@code random}: keys
 * and values appended directly, as a prefilled prompt would leave them, then the real last prompt
 * token; {@code prefill}: the real forward pass over a random prompt), then every cell decodes
 * a few untimed warm-up steps, then decodes in
 * rounds, A B A B, so that the machine's drift hits every cell alike and each ratio to full
 * attention is measured side by side in one run. Before the first cell each (backend, policy) pair
 * decodes in a throwaway session until the JIT has compiled nothing for 0.3 s (at most 5 s): a
 * first cell measured before C2 had finished ran at half speed.
 */
package org.recycledattention.eval.bench;
