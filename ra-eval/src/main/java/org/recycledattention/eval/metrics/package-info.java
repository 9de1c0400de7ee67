/**
 * Metrics over next-token distributions: top-1 agreement with full attention, KL(full ‖ policy),
 * perplexity of a token stream. Computed from logits in double precision with a numerically stable
 * log-softmax.
 */
package org.recycledattention.eval.metrics;
