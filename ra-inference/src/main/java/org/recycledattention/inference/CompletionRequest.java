package org.recycledattention.inference;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.recycledattention.engine.decode.SamplingConfig;
import org.recycledattention.inference.chat.ChatMessage;

/**
 * One completion: a prompt, how much to generate and how, and per-request policy changes. Build one
 * with {@link #text}, {@link #chat} or {@link #ids} and the {@code with*} methods.
 *
 * @param prompt what to continue
 * @param maxTokens the most tokens to generate; 0 = as many as the context leaves
 * @param sampling greedy (the default) or sampled
 * @param stop stop strings: generation ends before the first one that appears (at most {@value
 *     #MAX_STOP_STRINGS})
 * @param policy per-request policy changes ({@link PolicyOverrides#NONE}: the engine's)
 * @param ignoreEos keep going past the model's end-of-generation tokens
 */
public record CompletionRequest(
    Prompt prompt,
    int maxTokens,
    SamplingConfig sampling,
    List<String> stop,
    PolicyOverrides policy,
    boolean ignoreEos) {
  /** The most stop strings a request may have. */
  public static final int MAX_STOP_STRINGS = 16;

  public CompletionRequest {
    requireNonNull(prompt, "prompt is null");
    requireNonNull(sampling, "sampling is null");
    stop = List.copyOf(requireNonNull(stop, "stop is null"));
    requireNonNull(policy, "policy is null");
    if (maxTokens < 0) {
      throw new RequestException(
          RequestException.Field.MAX_TOKENS,
          "max tokens must be >= 1 (or 0 for as many as fit), got " + maxTokens);
    }
    if (stop.size() > MAX_STOP_STRINGS) {
      throw new RequestException(
          RequestException.Field.STOP,
          "at most " + MAX_STOP_STRINGS + " stop strings, got " + stop.size());
    }
    for (String s : stop) {
      if (s.isEmpty()) {
        throw new RequestException(
            RequestException.Field.STOP, "a stop string is empty; give non-empty stop strings");
      }
    }
  }

  /** Continue {@code text}; greedy, as many tokens as fit. */
  public static CompletionRequest text(String text) {
    return new CompletionRequest(
        new Prompt.Text(text), 0, SamplingConfig.GREEDY, List.of(), PolicyOverrides.NONE, false);
  }

  /** Reply to a conversation; greedy, as many tokens as fit. */
  public static CompletionRequest chat(List<ChatMessage> messages) {
    return new CompletionRequest(
        new Prompt.Chat(messages),
        0,
        SamplingConfig.GREEDY,
        List.of(),
        PolicyOverrides.NONE,
        false);
  }

  /** Continue token ids; greedy, as many tokens as fit. */
  public static CompletionRequest ids(int... ids) {
    return new CompletionRequest(
        new Prompt.Ids(ids), 0, SamplingConfig.GREEDY, List.of(), PolicyOverrides.NONE, false);
  }

  public CompletionRequest withMaxTokens(int n) {
    return new CompletionRequest(prompt, n, sampling, stop, policy, ignoreEos);
  }

  public CompletionRequest withSampling(SamplingConfig s) {
    return new CompletionRequest(prompt, maxTokens, s, stop, policy, ignoreEos);
  }

  public CompletionRequest withStop(String... strings) {
    return new CompletionRequest(prompt, maxTokens, sampling, List.of(strings), policy, ignoreEos);
  }

  public CompletionRequest withStop(List<String> strings) {
    return new CompletionRequest(prompt, maxTokens, sampling, strings, policy, ignoreEos);
  }

  public CompletionRequest withPolicy(PolicyOverrides p) {
    return new CompletionRequest(prompt, maxTokens, sampling, stop, p, ignoreEos);
  }

  public CompletionRequest withIgnoreEos(boolean ignore) {
    return new CompletionRequest(prompt, maxTokens, sampling, stop, policy, ignore);
  }
}
