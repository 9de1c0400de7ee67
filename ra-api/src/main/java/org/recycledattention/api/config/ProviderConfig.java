package org.recycledattention.api.config;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The validated configuration of one provider: every declared key with its parsed value (the
 * default when not set). Keys are prefix-stripped: {@code ra.policy.recycled.stride=3} reaches the
 * recycled provider as {@code stride=3}, read with {@link #get(ConfigProperty)}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ProviderConfig {
  private final String prefix;
  private final Map<String, ConfigProperty<?>> declared;
  private final Map<String, Object> values;

  private ProviderConfig(String prefix, Map<String, ConfigProperty<?>> declared, Map<String, Object> values) {
    this.prefix = prefix;
    this.declared = declared;
    this.values = values;
  }

  /**
   * Validates {@code raw} (prefix-stripped keys) against {@code properties}.
   *
   * @param prefix the provider's prefix with the trailing dot, for messages ({@link ConfigKeys#policyPrefix})
   * @throws ConfigException for an unknown key (naming the allowed ones) or an invalid value
   */
  public static ProviderConfig resolve(String prefix, List<? extends ConfigProperty<?>> properties, Map<String, String> raw) {
    requireNonNull(prefix, "prefix is null");
    requireNonNull(raw, "raw is null");
    Map<String, ConfigProperty<?>> declared = new LinkedHashMap<>();
    for (ConfigProperty<?> p : properties) {
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
    for (ConfigProperty<?> p : declared.values()) {
      values.put(p.key(), p.parse(prefix + p.key(), raw.getOrDefault(p.key(), p.defaultValue())));
    }
    return new ProviderConfig(prefix, Collections.unmodifiableMap(declared), Collections.unmodifiableMap(values));
  }

  /** The configuration where every declared key has its default. */
  public static ProviderConfig defaults(String prefix, List<? extends ConfigProperty<?>> properties) {
    return resolve(prefix, properties, Map.of());
  }

  static ConfigException unknownKey(String prefix, String key, Collection<String> allowed) {
    String list = allowed.isEmpty() ? "none (this provider takes no keys)"
        : String.join(", ", new TreeSet<>(allowed).stream().map(k -> prefix + k).toList());
    return new ConfigException("unknown configuration key '" + prefix + key + "'; allowed: " + list);
  }

  public String prefix() {
    return prefix;
  }

  /**
   * The value of {@code property}.
   *
   * @throws IllegalArgumentException when the provider did not declare {@code property} (a
   *     programming error: read only the properties listed in {@code properties()})
   */
  public <T> T get(ConfigProperty<T> property) {
    requireNonNull(property, "property is null");
    ConfigProperty<?> p = declared.get(property.key());
    if (p == null || p.valueType() != property.valueType()) {
      throw new IllegalArgumentException("the provider did not declare '" + prefix + property.key() + "' as " + property.valueType().getSimpleName()
          + "; declared: " + new TreeSet<>(declared.keySet()));
    }
    return property.valueType().cast(values.get(property.key()));
  }

  /** Every key with its value as text, in declaration order (for reports). */
  public Map<String, String> texts() {
    Map<String, String> out = new LinkedHashMap<>();
    values.forEach((k, v) -> out.put(k, String.valueOf(v)));
    return Collections.unmodifiableMap(out);
  }

  @Override
  public String toString() {
    return prefix + values;
  }
}
