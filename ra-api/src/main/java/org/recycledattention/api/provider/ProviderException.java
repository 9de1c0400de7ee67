package org.recycledattention.api.provider;

import org.recycledattention.api.RaException;

/**
 * A provider problem: an unknown name, two providers with one name, or no provider at all. Exit
 * code 2: it is fixed by changing the command line or the class path.
 */
public final class ProviderException extends RaException {
  public ProviderException(String message) {
    super(message, null, USAGE_ERROR);
  }
}
