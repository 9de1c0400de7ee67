/**
 * The decode loop: prefill with full attention, then one token at a time with the policy's plans;
 * sampling; statistics. Prefill is excluded from decode timings, as in the paper.
 *
 * <p>{@link org.recycledattention.engine.decode.Session} is one sequence (model, fresh cache, fresh
 * policy) with a teacher-forced API ({@code prefill(ids)}, {@code step(token)}, each returning the
 * next logits), used by evaluation; {@link org.recycledattention.engine.decode.Generator} runs a
 * {@link org.recycledattention.engine.decode.GenerationRequest} on a session with a {@link
 * org.recycledattention.engine.decode.Sampler}. Prefill goes in chunks of up to 256 tokens when the
 * backend has {@code MULTI_QUERY}, token by token otherwise; the last chunk is {@code PREFILL_END}.
 */
package org.recycledattention.engine.decode;
