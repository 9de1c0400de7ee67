package org.recycledattention.inference;

import static java.util.Objects.requireNonNull;

import org.recycledattention.api.RaException;

/**
 * A completion request that cannot run as asked, naming the part of the request at fault: a prompt
 * that does not fit the context, too many tokens asked for, an unknown policy, a bad setting. The
 * caller's input: exit code 2 (an HTTP server answers 400). One line.
 */
public final class RequestException extends RaException {
  /** The part of a request a failure is about. */
  public enum Field {
    PROMPT,
    MAX_TOKENS,
    STOP,
    POLICY,
    BUDGET,
    SETTINGS
  }

  private final Field field;

  public RequestException(Field field, String message) {
    this(field, message, null);
  }

  public RequestException(Field field, String message, Throwable cause) {
    super(message, cause, USAGE_ERROR);
    this.field = requireNonNull(field, "field is null");
  }

  public Field field() {
    return field;
  }
}
