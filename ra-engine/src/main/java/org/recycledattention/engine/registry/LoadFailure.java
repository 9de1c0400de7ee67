package org.recycledattention.engine.registry;

/**
 * A provider that could not be loaded: {@code className} is the class named in the services file
 * (or "unknown" when the services file itself is broken), {@code reason} the error's message.
 */
public record LoadFailure(String className, String reason, Throwable error) {
  /** One line for a user. */
  public String describe(String kind) {
    return kind + " provider " + className + " failed to load: " + reason;
  }
}
