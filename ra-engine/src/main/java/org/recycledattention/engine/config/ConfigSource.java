package org.recycledattention.engine.config;

/** Where a configuration value came from, lowest precedence first. */
public enum ConfigSource {
  DEFAULT("default"),
  FILE("file"),
  ENVIRONMENT("env"),
  COMMAND_LINE("command line");

  private final String label;

  ConfigSource(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
