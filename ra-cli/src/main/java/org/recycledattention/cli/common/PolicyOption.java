package org.recycledattention.cli.common;

import java.util.List;
import org.recycledattention.engine.config.ConfigLayers.Setting;
import picocli.CommandLine.Option;

/** {@code --policy NAME}: the selected attention policy ({@code ra.policy}), for commands that run one policy. */
public final class PolicyOption {
  @Option(names = "--policy", paramLabel = "NAME", description = "Attention policy (ra.policy); 'ra policies' lists them.")
  String policy;

  /** The setting, or nothing when the flag is absent. */
  public List<Setting> settings() {
    return policy == null ? List.of() : List.of(new Setting("ra.policy", policy, "--policy"));
  }
}
