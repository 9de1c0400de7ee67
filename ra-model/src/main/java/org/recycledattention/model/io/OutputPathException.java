package org.recycledattention.model.io;

import org.recycledattention.api.RaException;

/**
 * An output path a command must not write: an input of the same command, something other than a
 * regular file, a symbolic link out of the target's directory, a directory that cannot be created.
 * Exit code 2: the user chooses another path.
 */
public final class OutputPathException extends RaException {
  public OutputPathException(String message) {
    super(message, null, USAGE_ERROR);
  }
}
