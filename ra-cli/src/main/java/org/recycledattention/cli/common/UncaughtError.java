package org.recycledattention.cli.common;

/**
 * An {@link Error} thrown by a command (a plugin's {@link AssertionError}, an {@link InternalError}),
 * wrapped so that the command line's one-line error handler reports it like any other failure
 * instead of letting it escape with a stack trace. {@link #getCause()} is the error.
 */
public final class UncaughtError extends RuntimeException {
  public UncaughtError(Error cause) {
    super(cause.toString(), cause);
  }
}
