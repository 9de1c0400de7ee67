package org.recycledattention.cli.common;

import picocli.CommandLine.Option;

/** {@code --verbose}, accepted by every command: errors also print their stack trace. */
public final class CommonOptions {
  public static final String VERBOSE = "--verbose";

  @Option(names = VERBOSE, description = "On failure, print the stack trace after the one-line message.")
  public boolean verbose;
}
