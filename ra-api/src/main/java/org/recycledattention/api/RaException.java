package org.recycledattention.api;

/**
 * Base of every failure this project reports to a user. The message is one line that names the
 * input, says what was expected and what to do; the command line prints it without a stack trace
 * and exits with {@link #exitCode()}.
 */
public class RaException extends RuntimeException {
  /** Exit code for runtime failures. */
  public static final int RUNTIME_FAILURE = 1;
  /** Exit code for usage, configuration and bad-input errors. */
  public static final int USAGE_ERROR = 2;

  private final int exitCode;

  public RaException(String message) {
    this(message, null, RUNTIME_FAILURE);
  }

  public RaException(String message, Throwable cause) {
    this(message, cause, RUNTIME_FAILURE);
  }

  protected RaException(String message, Throwable cause, int exitCode) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** The process exit code a command-line tool should use for this failure: 1 or 2. */
  public int exitCode() {
    return exitCode;
  }
}
