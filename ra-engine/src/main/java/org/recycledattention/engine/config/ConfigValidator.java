package org.recycledattention.engine.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.config.ProviderConfig;

/**
 * Checks a {@link Configuration} against every declared key before any work starts: unknown keys,
 * wrong types and out-of-range values are rejected naming the key, the value and what is allowed.
 * Keys of providers that are not selected are checked too, so a typo never passes silently.
 */
public final class ConfigValidator {
  private ConfigValidator() {}

  /** The global keys every configuration has: {@code policy}, {@code backend}, {@code budget}. */
  public static List<ConfigProperty> coreProperties() {
    return List.of(
        ConfigProperty.ofString(ValidatedConfig.POLICY, "recycled", "the attention policy (ra policies lists them)"),
        ConfigProperty.ofString(ValidatedConfig.BACKEND, "cpu", "the KV-cache backend (ra backends lists them)"),
        ConfigProperty.ofInt(ValidatedConfig.BUDGET, 1024, 1, Integer.MAX_VALUE,
            "the token budget K shared by every non-full policy, so that comparisons are at equal budget"));
  }

  /**
   * Validates {@code config}.
   *
   * @param extraGlobals more {@code ra.*} keys (prefix-stripped) the caller understands
   * @param policyKeys declared keys per policy name
   * @param backendKeys declared keys per backend name
   * @throws ConfigException on the first problem found
   */
  public static ValidatedConfig validate(Configuration config, List<ConfigProperty> extraGlobals,
      Map<String, List<ConfigProperty>> policyKeys, Map<String, List<ConfigProperty>> backendKeys) {
    List<ConfigProperty> globals = new ArrayList<>(coreProperties());
    globals.addAll(extraGlobals);
    Map<String, String> globalRaw = new LinkedHashMap<>();
    Map<String, Map<String, String>> policyRaw = new HashMap<>();
    Map<String, Map<String, String>> backendRaw = new HashMap<>();
    for (String key : config.entries().keySet()) {
      if (!key.startsWith("ra.")) {
        throw new ConfigException("unknown configuration key '" + key + "'; keys start with 'ra.' (ra.policy, ra.backend, ra.budget, ra.policy.<name>.<key>, ra.backend.<name>.<key>)");
      }
      String rest = key.substring(3);
      if (rest.startsWith("policy.")) {
        route(key, rest.substring(7), "ra.policy.", "attention policy", policyKeys, policyRaw, config);
      } else if (rest.startsWith("backend.")) {
        route(key, rest.substring(8), "ra.backend.", "KV-cache backend", backendKeys, backendRaw, config);
      } else {
        globalRaw.put(rest, config.get(key).orElseThrow());
      }
    }
    ProviderConfig global = ProviderConfig.resolve("ra.", globals, globalRaw);
    Map<String, ProviderConfig> policies = new HashMap<>();
    policyKeys.forEach((name, props) -> policies.put(name,
        ProviderConfig.resolve("ra.policy." + name + ".", props, policyRaw.getOrDefault(name, Map.of()))));
    Map<String, ProviderConfig> backends = new HashMap<>();
    backendKeys.forEach((name, props) -> backends.put(name,
        ProviderConfig.resolve("ra.backend." + name + ".", props, backendRaw.getOrDefault(name, Map.of()))));
    return new ValidatedConfig(global, policies, backends);
  }

  private static void route(String fullKey, String nameAndKey, String prefix, String kind,
      Map<String, List<ConfigProperty>> declared, Map<String, Map<String, String>> raw, Configuration config) {
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
