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
 *
 * <p>Text: {@link org.recycledattention.engine.decode.TextStream} turns generated ids into final
 * text (whole UTF-8 characters, stop strings applied), delivered to a {@link
 * org.recycledattention.engine.decode.TextListener}; a {@link
 * org.recycledattention.engine.decode.Cancellation} stops a generation from another thread; {@link
 * org.recycledattention.engine.decode.FinishReason} says why it ended.
 */
package org.recycledattention.engine.decode;
