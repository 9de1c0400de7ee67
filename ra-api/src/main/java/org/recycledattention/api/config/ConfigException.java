package org.recycledattention.api.config;

import org.recycledattention.api.RaException;

/** A configuration key or value that cannot be used. Exit code 2. */
public final class ConfigException extends RaException {
  public ConfigException(String message) {
    super(message, null, USAGE_ERROR);
  }
}
