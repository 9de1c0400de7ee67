package org.recycledattention.cli.common;

import java.util.List;
import org.recycledattention.engine.config.ConfigLayers.Setting;
import picocli.CommandLine.Option;

/** {@code --threads N}: threads of the model's matrix kernels ({@code ra.threads}), for commands that run a model. */
public final class ThreadsOption {
  @Option(names = "--threads", paramLabel = "N", description = "Threads for the model's matrix kernels (ra.threads; default: every processor).")
  String threads;

  /** The setting, or nothing when the flag is absent. */
  public List<Setting> settings() {
    return threads == null ? List.of() : List.of(new Setting("ra.threads", threads, "--threads"));
  }
}
