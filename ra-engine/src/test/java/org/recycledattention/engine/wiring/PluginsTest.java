package org.recycledattention.engine.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.engine.registry.Plugins;
import org.recycledattention.engine.registry.Providers;
import org.recycledattention.engine.wiring.testplugins.AlphaPolicy;
import org.recycledattention.engine.wiring.testplugins.TestBackendProvider;

class PluginsTest {
  @TempDir
  Path tmp;

  @Test
  void loadsEveryJarOfEveryDirectoryInNameOrder() throws Exception {
    Path one = PluginJars.write(tmp.resolve("d1"), "b.jar", List.of(AlphaPolicy.class), List.of());
    Path two = PluginJars.write(tmp.resolve("d1"), "a.jar", List.of(), List.of(TestBackendProvider.class));
    Files.writeString(tmp.resolve("d1/readme.txt"), "not a jar");
    Path three = PluginJars.write(tmp.resolve("d2"), "c.jar", List.of(), List.of());
    try (Plugins plugins = Plugins.load(List.of(tmp.resolve("d1"), tmp.resolve("d2")), PluginJars.hidingParent())) {
      assertThat(plugins.jars()).containsExactly(two, one, three);
      Providers providers = Providers.discover(plugins.classLoader());
      assertThat(providers.policies().names()).containsExactly("alpha");
      assertThat(providers.backends().names()).containsExactly("testbackend");
    }
  }

  @Test
  void anEntryMayBeASingleJar() throws Exception {
    Path jar = PluginJars.write(tmp, "alpha.jar", List.of(AlphaPolicy.class), List.of());
    try (Plugins plugins = Plugins.load(List.of(jar), PluginJars.hidingParent())) {
      assertThat(Providers.discover(plugins.classLoader()).policies().names()).containsExactly("alpha");
    }
  }

  @Test
  void withoutJarsTheParentLoaderIsUsed() throws Exception {
    ClassLoader parent = PluginJars.hidingParent();
    Files.createDirectories(tmp.resolve("empty"));
    try (Plugins plugins = Plugins.load(List.of(tmp.resolve("empty")), parent)) {
      assertThat(plugins.classLoader()).isSameAs(parent);
      assertThat(plugins.jars()).isEmpty();
    }
    try (Plugins none = Plugins.none()) {
      assertThat(none.classLoader()).isSameAs(Plugins.class.getClassLoader());
    }
  }

  @Test
  void aMissingDirectoryIsAConfigErrorNamingIt() {
    Path missing = tmp.resolve("no-such-dir");
    assertThatThrownBy(() -> Plugins.load(List.of(missing)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("plugin directory '" + missing + "' does not exist; pass a directory of plugin jars to --plugin-path (or RA_PLUGIN_PATH)")
        .satisfies(e -> assertThat(((ConfigException) e).exitCode()).isEqualTo(2));
  }

  @Test
  void aFileThatIsNotAJarIsRejected() throws Exception {
    Path txt = Files.writeString(tmp.resolve("plugins.txt"), "x");
    assertThatThrownBy(() -> Plugins.load(List.of(txt)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("is neither a directory nor a .jar file");
  }

  @Test
  void theCommandLineWinsOverTheEnvironmentAndEntriesSplitOnThePathSeparator() {
    String sep = File.pathSeparator;
    Map<String, String> env = Map.of(Plugins.ENVIRONMENT_VARIABLE, "/env/a" + sep + "/env/b");
    assertThat(Plugins.path(List.of(), env)).containsExactly(Path.of("/env/a"), Path.of("/env/b"));
    assertThat(Plugins.path(List.of("/cli/a" + sep + sep + "/cli/b", "/cli/c"), env))
        .containsExactly(Path.of("/cli/a"), Path.of("/cli/b"), Path.of("/cli/c"));
    assertThat(Plugins.path(List.of(), Map.of())).isEmpty();
  }
}
