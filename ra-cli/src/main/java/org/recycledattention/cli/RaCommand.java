package org.recycledattention.cli;

import java.util.concurrent.Callable;
import org.recycledattention.cli.common.CommonOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** The top-level {@code ra} command: prints its usage when no subcommand is given (exit 2). */
@Command(name = "ra", mixinStandardHelpOptions = true, versionProvider = RaCommand.Version.class,
    description = {"Long-context decoding of Llama-family models with pluggable attention policies over interchangeable KV-cache backends.", ""},
    footer = {"", "Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error."})
final class RaCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  CommonOptions common;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /** The version from the jar's manifest ({@code dev} when run from classes). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = RaCommand.class.getPackage().getImplementationVersion();
      return new String[] {"ra " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
    }
  }
}
