package org.recycledattention.cli.common;

import java.util.Map;

/**
 * A subcommand that another module adds to {@code ra}, found by {@link java.util.ServiceLoader}: list the
 * class in {@code META-INF/services/org.recycledattention.cli.common.CommandExtension}. ra-train adds {@code
 * train-probe} this way, so that the command line does not depend on the training stack; the distribution
 * (ra-dist) puts both on the class path.
 */
public interface CommandExtension {
  /** The name typed after {@code ra}: {@code [a-z0-9][a-z0-9-]*}, unique among all commands. */
  String name();

  /** A new command object for this process environment. */
  Subcommand create(Map<String, String> environment);
}
