package org.recycledattention.engine.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.config.ConfigProperty;

/**
 * What the user gave, layer by layer, before it is checked: an optional properties file ({@code
 * --config FILE}), the process environment, and command-line settings in the order given. {@link
 * #resolve} layers them over the providers' built-in defaults, lowest first: default &lt; file &lt;
 * environment &lt; command line.
 *
 * @param file the properties file, if any
 * @param environment the process environment (only {@code RA_*} variables naming a known key are read)
 * @param commandLine command-line settings; a later one overrides an earlier one
 */
public record ConfigLayers(Optional<Path> file, Map<String, String> environment, List<Setting> commandLine) {
  /**
   * One command-line setting.
   *
   * @param key the full key ({@code ra.policy.recycled.stride})
   * @param value its text
   * @param flag the flag it came from ({@code --set}, {@code --policy}), shown by {@code ra config}
   */
  public record Setting(String key, String value, String flag) {
    public Setting {
      requireNonNull(key, "key is null");
      requireNonNull(value, "value is null");
      requireNonNull(flag, "flag is null");
    }

    /**
     * Parses {@code key=value} as given to {@code --set}.
     *
     * @throws ConfigException when there is no '=' or the key is empty
     */
    public static Setting parse(String keyEqualsValue) {
      requireNonNull(keyEqualsValue, "keyEqualsValue is null");
      int eq = keyEqualsValue.indexOf('=');
      if (eq <= 0 || keyEqualsValue.substring(0, eq).isBlank()) {
        throw new ConfigException("malformed --set '" + keyEqualsValue + "'; expected key=value such as ra.policy.recycled.stride=3");
      }
      return new Setting(keyEqualsValue.substring(0, eq).strip(), keyEqualsValue.substring(eq + 1).strip(), "--set");
    }
  }

  public ConfigLayers {
    requireNonNull(file, "file is null");
    environment = Map.copyOf(requireNonNull(environment, "environment is null"));
    commandLine = List.copyOf(requireNonNull(commandLine, "commandLine is null"));
  }

  /** Only the built-in defaults. */
  public static ConfigLayers defaultsOnly() {
    return new ConfigLayers(Optional.empty(), Map.of(), List.of());
  }

  /** A copy with more command-line settings after the existing ones. */
  public ConfigLayers withCommandLine(List<Setting> more) {
    List<Setting> all = new ArrayList<>(commandLine);
    all.addAll(more);
    return new ConfigLayers(file, environment, all);
  }

  /**
   * The layered, not yet validated configuration: every key of {@code declaredKeys} at its default,
   * then the file, the environment and the command line.
   *
   * @param declaredKeys every key that may be set, fully qualified ({@code ra.policy.recycled.stride})
   * @throws ConfigException for an unreadable file or an {@code RA_POLICY_*} / {@code RA_BACKEND_*}
   *     variable that names no known key
   */
  public Configuration resolve(Map<String, ConfigProperty<?>> declaredKeys) {
    requireNonNull(declaredKeys, "declaredKeys is null");
    Map<String, String> defaults = new TreeMap<>();
    declaredKeys.forEach((key, property) -> defaults.put(key, property.defaultValue()));
    Configuration.Builder b = Configuration.builder().defaults(defaults);
    file.ifPresent(b::file);
    b.environment(environment, declaredKeys.keySet());
    for (Setting s : commandLine) {
      b.set(s.key(), s.value(), ConfigSource.COMMAND_LINE, s.flag());
    }
    return b.build();
  }
}
