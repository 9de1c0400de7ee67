package org.recycledattention.cli;

import picocli.CommandLine.Option;

/** {@code --verbose}, accepted by every command: errors also print their stack trace. */
final class CommonOptions {
  static final String VERBOSE = "--verbose";

  @Option(names = VERBOSE, description = "On failure, print the stack trace after the one-line message.")
  boolean verbose;
}
