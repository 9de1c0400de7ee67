package org.recycledattention.inference.chat;

import org.recycledattention.api.RaException;

/**
 * A chat template that cannot be rendered: it uses a construct this renderer does not support (a
 * model problem, exit 1), or it rejected the conversation with {@code raise_exception} (for example
 * roles that do not alternate: the caller's input, exit 2, HTTP 400). One line.
 */
public final class ChatTemplateException extends RaException {
  private final boolean rejected;

  private ChatTemplateException(String message, boolean rejected) {
    super(message, null, rejected ? USAGE_ERROR : RUNTIME_FAILURE);
    this.rejected = rejected;
  }

  /** The template does not render here (syntax, an unknown tag, filter, function or method). */
  static ChatTemplateException unsupported(String message) {
    return new ChatTemplateException(message, false);
  }

  /** The template refused the messages ({@code raise_exception}). */
  static ChatTemplateException rejected(String message) {
    return new ChatTemplateException(message, true);
  }

  /**
   * Whether the template refused the conversation (the caller's fault) rather than failing to
   * render.
   */
  public boolean rejected() {
    return rejected;
  }
}
