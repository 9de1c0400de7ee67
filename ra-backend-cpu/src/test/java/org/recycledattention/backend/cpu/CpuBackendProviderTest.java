package org.recycledattention.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.tests.Providers;

class CpuBackendProviderTest {
  private static final String PREFIX = "ra.backend.cpu.";

  @Test
  void isDiscoveredByNameAndAvailable() {
    KvCacheBackendProvider cpu = Providers.backend("cpu");
    assertThat(cpu).isInstanceOf(CpuBackendProvider.class);
    assertThat(cpu.availability().available()).isTrue();
    assertThat(cpu.availability().detail()).contains("Vector API");
    assertThat(cpu.capabilities()).containsExactlyInAnyOrder(BackendCapability.values());
    assertThat(ServiceLoader.load(KvCacheBackendProvider.class).stream().map(p -> p.type().getName()))
        .contains(CpuBackendProvider.class.getName());
  }

  @Test
  void configurationSelectsDtypeAndThreads() {
    CpuBackendProvider provider = new CpuBackendProvider();
    ProviderConfig defaults = ProviderConfig.defaults(PREFIX, provider.properties());
    try (KvCacheBackend backend = provider.create(defaults)) {
      assertThat(backend.name()).isEqualTo("cpu");
      // f16 by default, as llama.cpp: half the bytes of f32 and, decoded by the hardware, faster (see README, "vs llama.cpp")
      assertThat(backend.storageDtype()).isEqualTo(KvDtype.F16);
      assertThat(((CpuBackend) backend).threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
      assertThat(backend.capabilities()).isEqualTo(provider.capabilities());
    }
    ProviderConfig f32 = ProviderConfig.resolve(PREFIX, provider.properties(), Map.of("dtype", "f32", "threads", "3"));
    try (KvCacheBackend backend = provider.create(f32); KvCache cache = backend.allocate(new CacheSpec(1, 2, 1, 8, 4))) {
      assertThat(backend.storageDtype()).isEqualTo(KvDtype.F32);
      assertThat(cache.storageDtype()).isEqualTo(KvDtype.F32);
      assertThat(((CpuBackend) backend).threads()).isEqualTo(3);
    }
  }

  @Test
  void invalidConfigurationNamesTheKey() {
    CpuBackendProvider provider = new CpuBackendProvider();
    assertThatThrownBy(() -> ProviderConfig.resolve(PREFIX, provider.properties(), Map.of("dtype", "f64")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("ra.backend.cpu.dtype").hasMessageContaining("f16");
    assertThatThrownBy(() -> ProviderConfig.resolve(PREFIX, provider.properties(), Map.of("threads", "-1")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("ra.backend.cpu.threads");
    assertThatThrownBy(() -> CpuBackend.create(KvDtype.F32, -2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads");
  }
}
