package org.recycledattention.inference.chat;

import static java.util.Objects.requireNonNull;

/**
 * One message of a conversation, as chat templates see it ({@code message['role']}, {@code
 * message['content']}).
 *
 * @param role {@code system}, {@code user}, {@code assistant} (templates decide what they accept)
 * @param content the text
 */
public record ChatMessage(String role, String content) {
  public ChatMessage {
    requireNonNull(role, "role is null");
    requireNonNull(content, "content is null");
  }

  public static ChatMessage system(String content) {
    return new ChatMessage("system", content);
  }

  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage("assistant", content);
  }
}
