package org.recycledattention.engine.registry;

import static java.util.Objects.requireNonNull;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.model.io.SafeText;

/**
 * Plugin jars found on a plugin path ({@code --plugin-path DIR}, or the {@value #ENVIRONMENT_VARIABLE}
 * environment variable): every {@code *.jar} of every directory, loaded through one {@link
 * URLClassLoader} of their own whose parent is the class loader of the engine (the application class loader when run from the command line) or the parent given.
 * Providers are then found in {@link #classLoader()} by {@link java.util.ServiceLoader}, exactly as
 * the built-ins are.
 *
 * <p>With no jars, {@link #classLoader()} is the parent itself, so discovery shares its cache.
 * {@link #close()} closes the plugin class loader (jars stay open until then). Not thread-safe to
 * close while in use.
 */
public final class Plugins implements AutoCloseable {
  /** The environment variable naming the plugin path when {@code --plugin-path} is not given. */
  public static final String ENVIRONMENT_VARIABLE = "RA_PLUGIN_PATH";

  private final ClassLoader classLoader;
  private final URLClassLoader ownLoader;
  private final List<Path> jars;

  private Plugins(ClassLoader classLoader, URLClassLoader ownLoader, List<Path> jars) {
    this.classLoader = classLoader;
    this.ownLoader = ownLoader;
    this.jars = List.copyOf(jars);
  }

  /** No plugins: discovery sees the application class path only. */
  public static Plugins none() {
    return new Plugins(applicationClassLoader(), null, List.of());
  }

  /**
   * The plugin path to use: the command-line entries when there are any, else those of {@value
   * #ENVIRONMENT_VARIABLE} in {@code environment}. Each entry may itself hold several paths
   * separated by {@link File#pathSeparator}; empty entries are dropped.
   */
  public static List<Path> path(List<String> commandLine, Map<String, String> environment) {
    requireNonNull(commandLine, "commandLine is null");
    requireNonNull(environment, "environment is null");
    List<String> entries = commandLine.isEmpty() && environment.containsKey(ENVIRONMENT_VARIABLE)
        ? List.of(environment.get(ENVIRONMENT_VARIABLE)) : commandLine;
    List<Path> out = new ArrayList<>();
    for (String entry : entries) {
      for (String part : entry.split(Pattern.quote(File.pathSeparator))) {
        if (!part.isBlank()) {
          out.add(Path.of(part.strip()));
        }
      }
    }
    return out;
  }

  /** Loads the jars of {@code directories} with the application class loader as parent. */
  public static Plugins load(List<Path> directories) {
    return load(directories, applicationClassLoader());
  }

  /**
   * Loads every {@code *.jar} directly inside each of {@code directories} (an entry may also be a
   * single jar file), in name order.
   *
   * @throws ConfigException naming an entry that does not exist, is neither a directory nor a jar,
   *     or cannot be listed, or a jar that is corrupt or truncated
   */
  public static Plugins load(List<Path> directories, ClassLoader parent) {
    requireNonNull(directories, "directories is null");
    requireNonNull(parent, "parent is null");
    List<Path> jars = new ArrayList<>();
    for (Path dir : directories) {
      jars.addAll(jarsIn(dir));
    }
    for (Path jar : jars) {
      checkReadable(jar);
    }
    if (jars.isEmpty()) {
      return new Plugins(parent, null, List.of());
    }
    URL[] urls = new URL[jars.size()];
    for (int i = 0; i < urls.length; i++) {
      try {
        urls[i] = jars.get(i).toUri().toURL();
      } catch (MalformedURLException e) {
        throw new ConfigException("plugin jar '" + jars.get(i) + "' has no usable file URL: " + e.getMessage());
      }
    }
    URLClassLoader loader = new URLClassLoader("ra-plugins", urls, parent);
    return new Plugins(loader, loader, jars);
  }

  private static List<Path> jarsIn(Path entry) {
    if (Files.isRegularFile(entry) && isJar(entry)) {
      return List.of(entry.toAbsolutePath().normalize());
    }
    if (!Files.exists(entry)) {
      throw new ConfigException("plugin directory '" + entry + "' does not exist; pass a directory of plugin jars to --plugin-path (or "
          + ENVIRONMENT_VARIABLE + ")");
    }
    if (!Files.isDirectory(entry)) {
      throw new ConfigException("plugin path entry '" + entry + "' is neither a directory nor a .jar file; pass a directory of plugin jars to --plugin-path");
    }
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(entry, "*.jar")) {
      for (Path p : stream) {
        if (Files.isRegularFile(p)) {
          out.add(p.toAbsolutePath().normalize());
        }
      }
    } catch (IOException | UncheckedIOException e) {
      throw new ConfigException("cannot list plugin directory '" + entry + "': " + e.getMessage() + "; check that it is readable");
    }
    out.sort(null);
    return out;
  }

  /**
   * Opens {@code jar} and reads its service files: a corrupt or truncated jar fails here, naming
   * itself, instead of being skipped by the class loader (which would surface later as an unknown
   * policy). Classes are read when loaded; a damaged one is then reported as a provider failure.
   */
  private static void checkReadable(Path jar) {
    try (JarFile j = new JarFile(jar.toFile())) {
      for (Enumeration<JarEntry> e = j.entries(); e.hasMoreElements(); ) {
        JarEntry entry = e.nextElement();
        if (entry.getName().startsWith("META-INF/services/") && !entry.isDirectory()) {
          try (InputStream in = j.getInputStream(entry)) {
            in.readAllBytes();
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("plugin jar '" + jar + "' is not a readable jar (" + SafeText.of(String.valueOf(e.getMessage()))
          + "); rebuild it, or remove it from the plugin path");
    }
  }

  private static boolean isJar(Path p) {
    return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jar");
  }

  private static ClassLoader applicationClassLoader() {
    return Plugins.class.getClassLoader();
  }

  /** The class loader to discover providers in: the plugins' own loader, or the parent when there are no jars. */
  public ClassLoader classLoader() {
    return classLoader;
  }

  /** The plugin jars loaded, absolute, in load order. */
  public List<Path> jars() {
    return jars;
  }

  @Override
  public void close() {
    if (ownLoader != null) {
      try {
        ownLoader.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot close plugin class loader", e);
      }
    }
  }
}
