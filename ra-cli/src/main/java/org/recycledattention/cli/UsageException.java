package org.recycledattention.cli;

import org.recycledattention.api.RaException;

/** Bad input on the command line (a missing file, an empty prompt, a malformed list). Exit code 2. */
final class UsageException extends RaException {
  UsageException(String message) {
    super(message, null, USAGE_ERROR);
  }
}
