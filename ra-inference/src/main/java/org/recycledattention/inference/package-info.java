/**
 * The embedding API: an {@link org.recycledattention.inference.Engine} is one loaded model with its
 * policy and backend, chosen by the same configuration keys as the command line; {@link
 * org.recycledattention.inference.CompletionRequest}s (text, a conversation or ids; stop strings,
 * sampling, per-request {@link org.recycledattention.inference.PolicyOverrides}) give {@link
 * org.recycledattention.inference.Completion}s, with text streamed as it is generated and a {@link
 * org.recycledattention.engine.decode.Cancellation} to stop one. {@code ra serve} and
 * ra-langchain4j are built on it.
 */
package org.recycledattention.inference;
