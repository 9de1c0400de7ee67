package org.recycledattention.engine.config;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.config.ConfigKeys;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.config.ProviderConfig;

/**
 * Checks a {@link Configuration} against every declared key before any work starts: unknown keys,
 * wrong types and out-of-range values are rejected naming the key, the value and what is allowed.
 * Keys of providers that are not selected are checked too, so a typo never passes silently.
 */
public final class ConfigValidator {
  private ConfigValidator() {}

  /**
   * Validates {@code config}.
   *
   * @param globals the {@code ra.*} keys of no provider, prefix-stripped ({@link GlobalKeys#all()})
   * @param policyKeys declared keys per policy name
   * @param backendKeys declared keys per backend name
   * @throws ConfigException on the first problem found
   */
  public static ValidatedConfig validate(Configuration config, List<ConfigProperty<?>> globals,
      Map<String, List<ConfigProperty<?>>> policyKeys, Map<String, List<ConfigProperty<?>>> backendKeys) {
    Map<String, String> globalRaw = new LinkedHashMap<>();
    Map<String, Map<String, String>> policyRaw = new HashMap<>();
    Map<String, Map<String, String>> backendRaw = new HashMap<>();
    for (String key : config.entries().keySet()) {
      if (!key.startsWith(ConfigKeys.ROOT)) {
        throw new ConfigException("unknown configuration key '" + key + "'; keys start with 'ra.' (ra.policy, ra.backend, ra.budget, "
            + "ra.policy.<name>.<key>, ra.backend.<name>.<key>)");
      }
      if (key.startsWith(ConfigKeys.POLICIES)) {
        route(key, ConfigKeys.POLICIES, "attention policy", policyKeys, policyRaw, config);
      } else if (key.startsWith(ConfigKeys.BACKENDS)) {
        route(key, ConfigKeys.BACKENDS, "KV-cache backend", backendKeys, backendRaw, config);
      } else {
        globalRaw.put(key.substring(ConfigKeys.ROOT.length()), config.get(key).orElseThrow());
      }
    }
    ProviderConfig global = ProviderConfig.resolve(ConfigKeys.ROOT, globals, globalRaw);
    Map<String, ProviderConfig> policies = new HashMap<>();
    policyKeys.forEach((name, props) -> policies.put(name,
        ProviderConfig.resolve(ConfigKeys.policyPrefix(name), props, policyRaw.getOrDefault(name, Map.of()))));
    Map<String, ProviderConfig> backends = new HashMap<>();
    backendKeys.forEach((name, props) -> backends.put(name,
        ProviderConfig.resolve(ConfigKeys.backendPrefix(name), props, backendRaw.getOrDefault(name, Map.of()))));
    return new ValidatedConfig(global, policies, backends);
  }

  private static void route(String fullKey, String prefix, String kind, Map<String, List<ConfigProperty<?>>> declared,
      Map<String, Map<String, String>> raw, Configuration config) {
    String nameAndKey = fullKey.substring(prefix.length());
    int dot = nameAndKey.indexOf('.');
    if (dot <= 0 || dot == nameAndKey.length() - 1) {
      throw new ConfigException("malformed configuration key '" + fullKey + "'; expected " + prefix + "<name>.<key>");
    }
    String name = nameAndKey.substring(0, dot);
    if (!declared.containsKey(name)) {
      throw new ConfigException("unknown configuration key '" + fullKey + "': no " + kind + " named '" + name
          + "'; available: " + String.join(", ", new TreeSet<>(declared.keySet())));
    }
    raw.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(nameAndKey.substring(dot + 1), config.get(fullKey).orElseThrow());
  }
}
