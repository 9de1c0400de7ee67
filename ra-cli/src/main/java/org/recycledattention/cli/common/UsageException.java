package org.recycledattention.cli.common;

import org.recycledattention.api.RaException;

/** Bad input on the command line (a missing file, an empty prompt, a malformed list). Exit code 2. */
public final class UsageException extends RaException {
  public UsageException(String message) {
    super(message, null, USAGE_ERROR);
  }
}
