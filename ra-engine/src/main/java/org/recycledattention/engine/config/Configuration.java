package org.recycledattention.engine.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.recycledattention.api.config.ConfigException;

/**
 * Raw configuration: key to text value, with the layer each value came from. Built from layers,
 * lowest first: {@link ConfigSource#DEFAULT}, {@link ConfigSource#FILE}, {@link
 * ConfigSource#ENVIRONMENT}, {@link ConfigSource#COMMAND_LINE}; a later layer overrides an earlier
 * one. Values are not checked here; {@link ConfigValidator} does that against the declared keys.
 *
 * <p>Immutable and thread-safe; the {@link Builder} is not.
 */
public final class Configuration {
  /** One effective value and where it came from ({@code origin}: a file path, a variable name, a flag). */
  public record Entry(String key, String value, ConfigSource source, String origin) {
    public Entry {
      requireNonNull(key, "key is null");
      requireNonNull(value, "value is null");
      requireNonNull(source, "source is null");
      requireNonNull(origin, "origin is null");
    }
  }

  private final Map<String, Entry> entries;

  private Configuration(Map<String, Entry> entries) {
    this.entries = Collections.unmodifiableMap(new TreeMap<>(entries));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A configuration of command-line values only; handy in tests and embedding code. */
  public static Configuration of(Map<String, String> values) {
    Builder b = builder();
    values.forEach((k, v) -> b.set(k, v, ConfigSource.COMMAND_LINE, "code"));
    return b.build();
  }

  public Optional<String> get(String key) {
    Entry e = entries.get(key);
    return e == null ? Optional.empty() : Optional.of(e.value());
  }

  /** Every set key, sorted. */
  public Map<String, Entry> entries() {
    return entries;
  }

  /** The entries under {@code prefix} (which ends with a dot), with the prefix stripped. */
  public Map<String, String> withPrefix(String prefix) {
    Map<String, String> out = new LinkedHashMap<>();
    entries.forEach((k, e) -> {
      if (k.startsWith(prefix)) {
        out.put(k.substring(prefix.length()), e.value());
      }
    });
    return out;
  }

  /** A copy with {@code key=value} set at the command-line layer. */
  public Configuration with(String key, String value) {
    Map<String, Entry> copy = new TreeMap<>(entries);
    copy.put(key, new Entry(key, value, ConfigSource.COMMAND_LINE, "code"));
    return new Configuration(copy);
  }

  /** Environment variable name for a key: upper case, dots and dashes as underscores. */
  public static String environmentName(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** Builds a configuration layer by layer. Call the layers lowest first. */
  public static final class Builder {
    private final Map<String, Entry> entries = new TreeMap<>();

    private Builder() {}

    public Builder set(String key, String value, ConfigSource source, String origin) {
      requireNonNull(key, "key is null");
      if (key.isBlank()) {
        throw new ConfigException("empty configuration key (from " + origin + "); expected key=value such as ra.budget=2048");
      }
      entries.put(key, new Entry(key, value, source, origin));
      return this;
    }

    /** Every key of {@code defaults} at the default layer. */
    public Builder defaults(Map<String, String> defaults) {
      defaults.forEach((k, v) -> set(k, v, ConfigSource.DEFAULT, "built-in"));
      return this;
    }

    /**
     * Reads a Java properties file.
     *
     * @throws ConfigException when the file is missing or unreadable
     */
    public Builder file(Path file) {
      requireNonNull(file, "file is null");
      if (!Files.isRegularFile(file)) {
        throw new ConfigException("configuration file '" + file + "' does not exist or is not a regular file; pass an existing .properties file to --config");
      }
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException | IllegalArgumentException e) {
        throw new ConfigException("cannot read configuration file '" + file + "': " + e.getMessage() + "; expected a Java .properties file of key=value lines");
      }
      for (String k : p.stringPropertyNames()) {
        set(k.strip(), p.getProperty(k), ConfigSource.FILE, file.toString());
      }
      return this;
    }

    /**
     * Takes the {@code RA_*} variables of {@code environment} that name a known key ({@link
     * #environmentName}). A variable under {@code RA_POLICY_} or {@code RA_BACKEND_} that matches no
     * known key is an error (a typo must not pass silently); other {@code RA_*} variables (such as
     * {@code RA_PLUGIN_PATH} or {@code RA_JAVA_OPTS}) are left to their users.
     */
    public Builder environment(Map<String, String> environment, Collection<String> knownKeys) {
      Map<String, String> byEnvName = new TreeMap<>();
      for (String k : knownKeys) {
        byEnvName.put(environmentName(k), k);
      }
      for (Map.Entry<String, String> e : new TreeMap<>(environment).entrySet()) {
        String name = e.getKey();
        String key = byEnvName.get(name);
        if (key != null) {
          set(key, e.getValue(), ConfigSource.ENVIRONMENT, name);
        } else if (name.startsWith("RA_POLICY_") || name.startsWith("RA_BACKEND_")) {
          throw new ConfigException("environment variable " + name + " names no known configuration key; expected RA_ followed by a key in upper case "
              + "with '.' and '-' as '_' (e.g. RA_POLICY_RECYCLED_STRIDE); run 'ra config' to list the keys");
        }
      }
      return this;
    }

    public Configuration build() {
      return new Configuration(entries);
    }
  }
}
