package org.recycledattention.engine.registry;

import org.recycledattention.model.io.SafeText;

/**
 * A provider that could not be loaded: {@code className} is the class named in the services file
 * (or "unknown" when the services file itself is broken), {@code reason} the error's message.
 */
public record LoadFailure(String className, String reason, Throwable error) {
  /** One line for a user; the plugin's text escaped and cut ({@link SafeText}). */
  public String describe(String kind) {
    return kind + " provider " + SafeText.of(className) + " failed to load: " + SafeText.of(reason);
  }
}
