package org.recycledattention.cli.common;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.engine.config.ConfigLayers.Setting;
import org.recycledattention.engine.config.ConfigLayers;
import org.recycledattention.engine.wiring.RaRuntime;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The configuration flags every configurable command takes: {@code --config FILE}, {@code --set
 * key=value}, the shorthand {@code --budget} and {@code --plugin-path}; {@link #runtime} turns them into
 * the command's {@link RaRuntime}. The selection shorthands are separate mixins ({@link SelectionOptions},
 * {@link BackendOption}), offered only by commands that use them. Values stay text here: the
 * configuration validator checks them, so every bad value gets the same kind of message.
 */
public final class ConfigOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "A .properties file of ra.* keys (overrides defaults; the environment and flags override it).")
  Path configFile;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set any key, e.g. --set ra.policy.recycled.stride=3 (repeatable). 'ra config' lists the keys.")
  List<String> set = new ArrayList<>();

  @Option(names = "--budget", paramLabel = "K", description = "Token budget K shared by every non-full policy (ra.budget).")
  String budget;

  @Mixin
  PluginOptions plugins;

  /** Whether {@code --budget} was given. */
  public boolean hasBudget() {
    return budget != null;
  }

  /**
   * The layers: the file, the environment, then {@code --set} in order, then {@code --budget} and
   * {@code shorthands} (a shorthand wins over {@code --set} of the same key).
   *
   * @throws ConfigException for a malformed {@code --set}
   */
  @SafeVarargs
  public final ConfigLayers layers(Map<String, String> environment, List<Setting>... shorthands) {
    List<Setting> settings = new ArrayList<>();
    for (String s : set) {
      settings.add(Setting.parse(s));
    }
    if (budget != null) {
      settings.add(new Setting("ra.budget", budget, "--budget"));
    }
    for (List<Setting> s : shorthands) {
      settings.addAll(s);
    }
    return new ConfigLayers(Optional.ofNullable(configFile), environment, settings);
  }

  /**
   * The command's runtime: the plugin path's jars, every provider, and the {@link #layers} validated; the
   * caller closes it.
   */
  @SafeVarargs
  public final RaRuntime runtime(Map<String, String> environment, List<Setting>... shorthands) {
    return RaRuntime.open(plugins.path(environment), layers(environment, shorthands));
  }
}
