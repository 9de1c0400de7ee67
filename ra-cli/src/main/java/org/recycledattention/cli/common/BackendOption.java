package org.recycledattention.cli.common;

import java.util.List;
import org.recycledattention.engine.config.ConfigLayers.Setting;
import picocli.CommandLine.Option;

/** {@code --backend NAME}: the selected KV-cache backend ({@code ra.backend}), for commands that run on one backend. */
public final class BackendOption {
  @Option(names = "--backend", paramLabel = "NAME", description = "KV-cache backend (ra.backend); 'ra backends' lists them.")
  String backend;

  /** The setting, or nothing when the flag is absent. */
  public List<Setting> settings() {
    return backend == null ? List.of() : List.of(new Setting("ra.backend", backend, "--backend"));
  }
}
