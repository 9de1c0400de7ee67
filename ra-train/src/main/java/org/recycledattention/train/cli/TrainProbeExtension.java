package org.recycledattention.train.cli;

import java.util.Map;
import org.recycledattention.cli.common.CommandExtension;
import org.recycledattention.cli.common.Subcommand;

/** Adds {@code ra train-probe} to the command line when ra-train is on the class path. */
public final class TrainProbeExtension implements CommandExtension {
  @Override
  public String name() {
    return "train-probe";
  }

  @Override
  public Subcommand create(Map<String, String> environment) {
    return new TrainProbeCommand(environment);
  }
}
