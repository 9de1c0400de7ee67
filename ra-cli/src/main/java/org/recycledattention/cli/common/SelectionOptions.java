package org.recycledattention.cli.common;

import java.util.ArrayList;
import java.util.List;
import org.recycledattention.engine.config.ConfigLayers.Setting;
import picocli.CommandLine.Option;

/**
 * {@code --policy NAME} and {@code --backend NAME}: the selected attention policy ({@code ra.policy})
 * and KV-cache backend ({@code ra.backend}), for commands that run one policy on one backend. Commands
 * that take a list of policies take {@link BackendOption} alone.
 */
public final class SelectionOptions {
  @Option(names = "--policy", paramLabel = "NAME", description = "Attention policy (ra.policy); 'ra policies' lists them.")
  String policy;

  @Option(names = "--backend", paramLabel = "NAME", description = "KV-cache backend (ra.backend); 'ra backends' lists them.")
  String backend;

  /** The settings of the flags given, none when both are absent. */
  public List<Setting> settings() {
    List<Setting> settings = new ArrayList<>();
    if (policy != null) {
      settings.add(new Setting("ra.policy", policy, "--policy"));
    }
    if (backend != null) {
      settings.add(new Setting("ra.backend", backend, "--backend"));
    }
    return settings;
  }
}
