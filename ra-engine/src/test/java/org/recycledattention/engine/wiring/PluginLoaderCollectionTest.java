package org.recycledattention.engine.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.engine.config.ConfigLayers.Setting;
import org.recycledattention.engine.config.ConfigLayers;
import org.recycledattention.engine.registry.Plugins;
import org.recycledattention.engine.wiring.testplugins.AlphaPolicy;
import org.recycledattention.engine.wiring.testplugins.TestBackendProvider;

/**
 * Nothing static keeps a plugin class loader: once the runtime that discovered its providers and the
 * plugin path that loaded it are closed and dropped, the loader is collected (a long-running host can
 * reload its plugins without leaking them).
 */
class PluginLoaderCollectionTest {
  @TempDir
  Path tmp;

  @Test
  void aDroppedPluginLoaderIsCollected() throws Exception {
    WeakReference<ClassLoader> loader = useThenDrop(PluginJars.write(tmp, "alpha.jar", List.of(AlphaPolicy.class),
        List.of(TestBackendProvider.class)));
    for (int i = 0; i < 50 && loader.get() != null; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(loader.get()).as("the plugin class loader after its runtime and plugin path were dropped").isNull();
  }

  /** Loads the jar, discovers and uses its providers through a runtime, closes everything; returns the loader, weakly. */
  private static WeakReference<ClassLoader> useThenDrop(Path jar) {
    try (Plugins plugins = Plugins.load(List.of(jar), PluginJars.hidingParent())) {
      ConfigLayers layers = new ConfigLayers(Optional.empty(), Map.of(),
          List.of(new Setting("ra.policy", "alpha", "--policy"), new Setting("ra.backend", "testbackend", "--backend")));
      try (RaRuntime runtime = RaRuntime.create(plugins.classLoader(), layers)) {
        AttentionPolicyProvider alpha = runtime.policyFactory().provider();
        assertThat(alpha.getClass().getClassLoader()).isSameAs(plugins.classLoader());
        runtime.backend();
      }
      return new WeakReference<>(plugins.classLoader());
    }
  }
}
