package org.recycledattention.api.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One configuration key that a provider declares: its type, default, allowed values and a one-line
 * description. Keys are relative to the provider's prefix ({@code stride}, not {@code
 * ra.policy.recycled.stride}, see {@link ConfigKeys}). A provider keeps its properties in constants
 * and reads the validated values with {@link ProviderConfig#get(ConfigProperty)}, typed:
 *
 * <pre>{@code
 * static final ConfigProperty<Integer> STRIDE = ConfigProperty.ofInt("stride", 10, 1, Integer.MAX_VALUE, "...");
 * int stride = config.properties().get(STRIDE);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the parsed value: {@code Integer}, {@code Double}, {@code Boolean} or {@code String}
 */
public final class ConfigProperty<T> {
  /** Value types a property can have. */
  public enum Type {
    INT, DOUBLE, BOOLEAN, STRING, CHOICE
  }

  private final String key;
  private final Type type;
  private final Class<T> valueType;
  private final String defaultValue;
  private final String allowed;
  private final String description;
  private final List<String> choices;
  private final Function<String, T> parser;
  private final Predicate<? super T> check;

  private ConfigProperty(String key, Type type, Class<T> valueType, String defaultValue, String allowed, String description,
      List<String> choices, Function<String, T> parser, Predicate<? super T> check) {
    this.key = requireNonNull(key, "key is null");
    if (!key.matches("[a-z0-9][a-z0-9.-]*")) {
      throw new IllegalArgumentException("configuration key '" + key + "' must match [a-z0-9][a-z0-9.-]*");
    }
    this.type = requireNonNull(type, "type is null");
    this.valueType = requireNonNull(valueType, "valueType is null");
    this.defaultValue = requireNonNull(defaultValue, "defaultValue is null");
    this.allowed = requireNonNull(allowed, "allowed is null");
    this.description = requireNonNull(description, "description is null");
    this.choices = List.copyOf(choices);
    this.parser = requireNonNull(parser, "parser is null");
    this.check = check;
  }

  /** An integer in {@code [min, max]}. */
  public static ConfigProperty<Integer> ofInt(String key, int defaultValue, int min, int max, String description) {
    String allowed = max == Integer.MAX_VALUE ? "an integer >= " + min : "an integer in [" + min + ", " + max + "]";
    return new ConfigProperty<>(key, Type.INT, Integer.class, Integer.toString(defaultValue), allowed, description, List.of(), text -> {
      int v = Integer.parseInt(text);
      return v >= min && v <= max ? v : null;
    }, null);
  }

  /** A number in {@code [min, max]}. */
  public static ConfigProperty<Double> ofDouble(String key, double defaultValue, double min, double max, String description) {
    String allowed = "a number in [" + fmt(min) + ", " + fmt(max) + "]";
    return new ConfigProperty<>(key, Type.DOUBLE, Double.class, fmt(defaultValue), allowed, description, List.of(), text -> {
      double v = Double.parseDouble(text);
      return v >= min && v <= max ? v : null;
    }, null);
  }

  /** {@code true} or {@code false}. */
  public static ConfigProperty<Boolean> ofBoolean(String key, boolean defaultValue, String description) {
    return new ConfigProperty<>(key, Type.BOOLEAN, Boolean.class, Boolean.toString(defaultValue), "true or false", description, List.of(),
        text -> switch (text.toLowerCase(Locale.ROOT)) {
          case "true" -> Boolean.TRUE;
          case "false" -> Boolean.FALSE;
          default -> null;
        }, null);
  }

  /** Any string. */
  public static ConfigProperty<String> ofString(String key, String defaultValue, String description) {
    return new ConfigProperty<>(key, Type.STRING, String.class, defaultValue, "any text", description, List.of(), Function.identity(), null);
  }

  /** One of a fixed list of lower-case words. */
  public static ConfigProperty<String> ofChoice(String key, String defaultValue, List<String> choices, String description) {
    if (!choices.contains(defaultValue)) {
      throw new IllegalArgumentException("default '" + defaultValue + "' of '" + key + "' is not one of " + choices);
    }
    List<String> copy = List.copyOf(choices);
    return new ConfigProperty<>(key, Type.CHOICE, String.class, defaultValue, "one of " + String.join(" | ", copy), description, copy, text -> {
      String v = text.toLowerCase(Locale.ROOT);
      return copy.contains(v) ? v : null;
    }, null);
  }

  /**
   * The same property with an extra check on the parsed value; {@code allowedDescription} replaces
   * the allowed-values text in error messages and listings.
   */
  public ConfigProperty<T> withCheck(Predicate<? super T> extraCheck, String allowedDescription) {
    requireNonNull(extraCheck, "extraCheck is null");
    Predicate<T> combined = check == null ? extraCheck::test : v -> check.test(v) && extraCheck.test(v);
    return new ConfigProperty<>(key, type, valueType, defaultValue, allowedDescription, description, choices, parser, combined);
  }

  public String key() {
    return key;
  }

  public Type type() {
    return type;
  }

  /** The class of the parsed values. */
  public Class<T> valueType() {
    return valueType;
  }

  /** The default, as text. */
  public String defaultValue() {
    return defaultValue;
  }

  /** What values are allowed, in words ("an integer >= 1"). */
  public String allowed() {
    return allowed;
  }

  public String description() {
    return description;
  }

  public List<String> choices() {
    return choices;
  }

  /**
   * Parses and checks {@code raw}.
   *
   * @param qualifiedKey the full key, used in the error message ({@code ra.policy.recycled.stride})
   * @throws ConfigException naming the key, the value and what is allowed
   */
  public T parse(String qualifiedKey, String raw) {
    requireNonNull(raw, "raw is null");
    T value;
    try {
      value = parser.apply(raw.strip());
    } catch (NumberFormatException e) {
      value = null;
    }
    if (value == null || check != null && !check.test(value)) {
      throw new ConfigException("invalid value '" + raw + "' for " + qualifiedKey + ": expected " + allowed);
    }
    return value;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  @Override
  public String toString() {
    return key + " (" + type.name().toLowerCase(Locale.ROOT) + ", default " + defaultValue + ", " + allowed + "): " + description;
  }
}
