package org.recycledattention.engine.wiring;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.engine.wiring.testplugins.TestBackendProvider;
import org.recycledattention.engine.wiring.testplugins.TestPolicyProvider;

/** Writes plugin jars from test classes, and a parent class loader that hides the test class path's providers. */
final class PluginJars {
  static final String TEST_PLUGINS = "org.recycledattention.engine.wiring.testplugins.";

  private PluginJars() {}

  /**
   * A jar in {@code dir} holding {@code policies} and {@code backends} (with the base classes they
   * extend) and their services files.
   */
  static Path write(Path dir, String jarName, List<Class<? extends AttentionPolicyProvider>> policies,
      List<Class<? extends KvCacheBackendProvider>> backends) throws IOException {
    Files.createDirectories(dir);
    Path jar = dir.resolve(jarName);
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
      Set<Class<?>> classes = new LinkedHashSet<>(List.of(TestPolicyProvider.class, TestBackendProvider.class, TestBackendProvider.Backend.class));
      classes.addAll(policies);
      classes.addAll(backends);
      for (Class<?> c : classes) {
        copyClass(j, c);
      }
      services(j, AttentionPolicyProvider.class, policies);
      services(j, KvCacheBackendProvider.class, backends);
    }
    return jar;
  }

  private static void copyClass(JarOutputStream j, Class<?> c) throws IOException {
    String path = c.getName().replace('.', '/') + ".class";
    try (InputStream in = PluginJars.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IOException("class file of " + c.getName() + " not found on the test class path");
      }
      j.putNextEntry(new JarEntry(path));
      in.transferTo(j);
      j.closeEntry();
    }
  }

  private static void services(JarOutputStream j, Class<?> type, List<? extends Class<?>> impls) throws IOException {
    if (impls.isEmpty()) {
      return;
    }
    j.putNextEntry(new JarEntry("META-INF/services/" + type.getName()));
    StringBuilder sb = new StringBuilder("# test plugin\n");
    impls.forEach(c -> sb.append(c.getName()).append('\n'));
    j.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    j.closeEntry();
  }

  /**
   * A parent for plugin class loaders in tests: delegates to the test class path but hides its
   * services files (so the real ra-policies and ra-backend-cpu are not discovered) and its test
   * plugin classes (so they load from the jars, and report the jar as their origin).
   */
  static ClassLoader hidingParent() {
    return new HidingClassLoader(PluginJars.class.getClassLoader());
  }

  private static final class HidingClassLoader extends ClassLoader {
    HidingClassLoader(ClassLoader parent) {
      super("hiding-test-parent", parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.startsWith(TEST_PLUGINS)) {
        throw new ClassNotFoundException(name + " is hidden from plugin tests' parent class loader");
      }
      return super.loadClass(name, resolve);
    }

    @Override
    public URL getResource(String name) {
      return hidden(name) ? null : super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
      return hidden(name) ? Collections.emptyEnumeration() : super.getResources(name);
    }

    private static boolean hidden(String name) {
      return name.startsWith("META-INF/services/") || name.startsWith(TEST_PLUGINS.replace('.', '/'));
    }
  }
}
