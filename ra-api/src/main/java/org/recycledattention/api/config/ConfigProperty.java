package org.recycledattention.api.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * One configuration key that a provider declares: its type, default, allowed values and a one-line
 * description. Keys are relative to the provider's prefix ({@code stride}, not {@code
 * ra.policy.recycled.stride}).
 *
 * <p>Immutable and thread-safe.
 */
public final class ConfigProperty {
  /** Value types a property can have. */
  public enum Type {
    INT, DOUBLE, BOOLEAN, STRING, CHOICE
  }

  private final String key;
  private final Type type;
  private final String defaultValue;
  private final String allowed;
  private final String description;
  private final List<String> choices;
  private final double min;
  private final double max;
  private final Predicate<Object> check;

  private ConfigProperty(String key, Type type, String defaultValue, String allowed, String description,
      List<String> choices, double min, double max, Predicate<Object> check) {
    this.key = requireNonNull(key, "key is null");
    if (!key.matches("[a-z0-9][a-z0-9.-]*")) {
      throw new IllegalArgumentException("configuration key '" + key + "' must match [a-z0-9][a-z0-9.-]*");
    }
    this.type = requireNonNull(type, "type is null");
    this.defaultValue = requireNonNull(defaultValue, "defaultValue is null");
    this.allowed = requireNonNull(allowed, "allowed is null");
    this.description = requireNonNull(description, "description is null");
    this.choices = List.copyOf(choices);
    this.min = min;
    this.max = max;
    this.check = check;
  }

  /** An integer in {@code [min, max]}. */
  public static ConfigProperty ofInt(String key, int defaultValue, int min, int max, String description) {
    String allowed = max == Integer.MAX_VALUE ? "an integer >= " + min : "an integer in [" + min + ", " + max + "]";
    return new ConfigProperty(key, Type.INT, Integer.toString(defaultValue), allowed, description, List.of(), min, max, null);
  }

  /** A number in {@code [min, max]}. */
  public static ConfigProperty ofDouble(String key, double defaultValue, double min, double max, String description) {
    String allowed = "a number in [" + fmt(min) + ", " + fmt(max) + "]";
    return new ConfigProperty(key, Type.DOUBLE, fmt(defaultValue), allowed, description, List.of(), min, max, null);
  }

  /** {@code true} or {@code false}. */
  public static ConfigProperty ofBoolean(String key, boolean defaultValue, String description) {
    return new ConfigProperty(key, Type.BOOLEAN, Boolean.toString(defaultValue), "true or false", description, List.of(), 0, 0, null);
  }

  /** Any string. */
  public static ConfigProperty ofString(String key, String defaultValue, String description) {
    return new ConfigProperty(key, Type.STRING, defaultValue, "any text", description, List.of(), 0, 0, null);
  }

  /** One of a fixed list of lower-case words. */
  public static ConfigProperty ofChoice(String key, String defaultValue, List<String> choices, String description) {
    if (!choices.contains(defaultValue)) {
      throw new IllegalArgumentException("default '" + defaultValue + "' of '" + key + "' is not one of " + choices);
    }
    return new ConfigProperty(key, Type.CHOICE, defaultValue, "one of " + String.join(" | ", choices), description, choices, 0, 0, null);
  }

  /**
   * The same property with an extra check on the parsed value (an {@code Integer}, {@code Double},
   * {@code Boolean} or {@code String}); {@code allowedDescription} replaces the allowed-values text
   * in error messages and listings.
   */
  public ConfigProperty withCheck(Predicate<Object> extraCheck, String allowedDescription) {
    Predicate<Object> combined = check == null ? extraCheck : check.and(extraCheck);
    return new ConfigProperty(key, type, defaultValue, allowedDescription, description, choices, min, max, combined);
  }

  public String key() {
    return key;
  }

  public Type type() {
    return type;
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
   * @return an {@code Integer}, {@code Double}, {@code Boolean} or {@code String}
   * @throws ConfigException naming the key, the value and what is allowed
   */
  public Object parse(String qualifiedKey, String raw) {
    requireNonNull(raw, "raw is null");
    String text = raw.strip();
    Object value;
    try {
      value = switch (type) {
        case INT -> {
          int v = Integer.parseInt(text);
          if (v < min || v > max) {
            throw new NumberFormatException();
          }
          yield v;
        }
        case DOUBLE -> {
          double v = Double.parseDouble(text);
          if (!(v >= min && v <= max)) {
            throw new NumberFormatException();
          }
          yield v;
        }
        case BOOLEAN -> switch (text.toLowerCase(Locale.ROOT)) {
          case "true" -> Boolean.TRUE;
          case "false" -> Boolean.FALSE;
          default -> throw new NumberFormatException();
        };
        case STRING -> text;
        case CHOICE -> {
          String v = text.toLowerCase(Locale.ROOT);
          if (!choices.contains(v)) {
            throw new NumberFormatException();
          }
          yield v;
        }
      };
    } catch (NumberFormatException e) {
      throw invalid(qualifiedKey, raw);
    }
    if (check != null && !check.test(value)) {
      throw invalid(qualifiedKey, raw);
    }
    return value;
  }

  private ConfigException invalid(String qualifiedKey, String raw) {
    return new ConfigException("invalid value '" + raw + "' for " + qualifiedKey + ": expected " + allowed);
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  @Override
  public String toString() {
    return key + " (" + type.name().toLowerCase(Locale.ROOT) + ", default " + defaultValue + ", " + allowed + "): " + description;
  }
}
