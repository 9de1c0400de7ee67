package org.recycledattention.cli.common;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.recycledattention.engine.config.ConfigLayers.Setting;
import org.recycledattention.engine.config.ConfigLayers;
import picocli.CommandLine.Option;

/**
 * The configuration flags: {@code --config FILE}, {@code --set key=value}, and the shorthands
 * {@code --policy}, {@code --backend}, {@code --budget}. Values stay text here: the configuration
 * validator checks them, so every bad value gets the same kind of message.
 */
public final class ConfigOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "A .properties file of ra.* keys (overrides defaults; the environment and flags override it).")
  public Path configFile;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set any key, e.g. --set ra.policy.recycled.stride=3 (repeatable). 'ra config' lists the keys.")
  public List<String> set = new ArrayList<>();

  @Option(names = "--policy", paramLabel = "NAME", description = "Attention policy (ra.policy); 'ra policies' lists them.")
  public String policy;

  @Option(names = "--backend", paramLabel = "NAME", description = "KV-cache backend (ra.backend); 'ra backends' lists them.")
  public String backend;

  @Option(names = "--budget", paramLabel = "K", description = "Token budget K shared by every non-full policy (ra.budget).")
  public String budget;

  /**
   * The layers: the file, the environment, then {@code --set} in order, then the shorthands and
   * {@code extra} (the shorthands win over {@code --set} of the same key).
   *
   * @throws org.recycledattention.api.config.ConfigException for a malformed {@code --set}
   */
  public ConfigLayers layers(Map<String, String> environment, List<Setting> extra) {
    List<Setting> settings = new ArrayList<>();
    for (String s : set) {
      settings.add(Setting.parse(s));
    }
    if (policy != null) {
      settings.add(new Setting("ra.policy", policy, "--policy"));
    }
    if (backend != null) {
      settings.add(new Setting("ra.backend", backend, "--backend"));
    }
    if (budget != null) {
      settings.add(new Setting("ra.budget", budget, "--budget"));
    }
    settings.addAll(extra);
    return new ConfigLayers(Optional.ofNullable(configFile), environment, settings);
  }
}
