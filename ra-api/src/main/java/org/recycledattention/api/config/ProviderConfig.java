package org.recycledattention.api.config;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The validated configuration of one provider: every declared key with its parsed value (the
 * default when not set). Keys are prefix-stripped: {@code ra.policy.recycled.stride=3} reaches the
 * recycled provider as {@code stride=3}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ProviderConfig {
  private final String prefix;
  private final Map<String, ConfigProperty> declared;
  private final Map<String, Object> values;

  private ProviderConfig(String prefix, Map<String, ConfigProperty> declared, Map<String, Object> values) {
    this.prefix = prefix;
    this.declared = declared;
    this.values = values;
  }

  /**
   * Validates {@code raw} (prefix-stripped keys) against {@code properties}.
   *
   * @param prefix the provider's prefix with the trailing dot, for messages ({@code ra.policy.recycled.})
   * @throws ConfigException for an unknown key (naming the allowed ones) or an invalid value
   */
  public static ProviderConfig resolve(String prefix, List<ConfigProperty> properties, Map<String, String> raw) {
    requireNonNull(prefix, "prefix is null");
    Map<String, ConfigProperty> declared = new LinkedHashMap<>();
    for (ConfigProperty p : properties) {
      if (declared.put(p.key(), p) != null) {
        throw new IllegalArgumentException("key '" + p.key() + "' is declared twice under " + prefix);
      }
    }
    for (String key : raw.keySet()) {
      if (!declared.containsKey(key)) {
        throw unknownKey(prefix, key, declared.keySet());
      }
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (ConfigProperty p : declared.values()) {
      String text = raw.getOrDefault(p.key(), p.defaultValue());
      values.put(p.key(), p.parse(prefix + p.key(), text));
    }
    return new ProviderConfig(prefix, Map.copyOf(declared), values);
  }

  /** The configuration where every declared key has its default. */
  public static ProviderConfig defaults(String prefix, List<ConfigProperty> properties) {
    return resolve(prefix, properties, Map.of());
  }

  static ConfigException unknownKey(String prefix, String key, java.util.Collection<String> allowed) {
    String list = allowed.isEmpty() ? "none (this provider takes no keys)"
        : String.join(", ", new TreeSet<>(allowed).stream().map(k -> prefix + k).toList());
    return new ConfigException("unknown configuration key '" + prefix + key + "'; allowed: " + list);
  }

  public String prefix() {
    return prefix;
  }

  public int getInt(String key) {
    return (Integer) value(key, ConfigProperty.Type.INT);
  }

  public double getDouble(String key) {
    return (Double) value(key, ConfigProperty.Type.DOUBLE);
  }

  public boolean getBoolean(String key) {
    return (Boolean) value(key, ConfigProperty.Type.BOOLEAN);
  }

  /** A {@code STRING} or {@code CHOICE} value. */
  public String getString(String key) {
    ConfigProperty p = property(key);
    if (p.type() != ConfigProperty.Type.STRING && p.type() != ConfigProperty.Type.CHOICE) {
      throw new IllegalArgumentException(prefix + key + " is a " + p.type() + " property, not a string");
    }
    return (String) values.get(key);
  }

  /** Every key with its value, in declaration order. */
  public Map<String, Object> values() {
    return java.util.Collections.unmodifiableMap(values);
  }

  private Object value(String key, ConfigProperty.Type type) {
    ConfigProperty p = property(key);
    if (p.type() != type) {
      throw new IllegalArgumentException(prefix + key + " is a " + p.type() + " property, not " + type);
    }
    return values.get(key);
  }

  private ConfigProperty property(String key) {
    ConfigProperty p = declared.get(key);
    if (p == null) {
      throw new IllegalArgumentException("the provider did not declare '" + prefix + key + "'; declared: " + new TreeSet<>(declared.keySet()));
    }
    return p;
  }

  @Override
  public String toString() {
    return prefix + values;
  }
}
