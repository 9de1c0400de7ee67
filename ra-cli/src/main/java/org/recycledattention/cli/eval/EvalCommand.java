package org.recycledattention.cli.eval;

import picocli.CommandLine.Command;

/** {@code ra eval}: the measuring subcommands (fidelity, ruler). */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Measure policies: 'ra eval fidelity' and 'ra eval ruler'.",
    synopsisSubcommandLabel = "COMMAND")
public final class EvalCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: fidelity or ruler");
  }
}
