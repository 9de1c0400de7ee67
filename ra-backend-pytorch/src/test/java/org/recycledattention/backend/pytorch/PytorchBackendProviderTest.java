package org.recycledattention.backend.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.EngineException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.config.ConfigKeys;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.provider.Availability;
import org.recycledattention.api.provider.ProviderException;
import org.recycledattention.tests.Providers;

class PytorchBackendProviderTest {
  private final PytorchBackendProvider provider = new PytorchBackendProvider();

  private static ProviderConfig config(PytorchBackendProvider p, Map<String, String> raw) {
    return ProviderConfig.resolve(ConfigKeys.backendPrefix(PytorchBackendProvider.NAME), p.properties(), raw);
  }

  @Test
  void isFoundByServiceLoaderUnderItsName() {
    assertThat(Providers.backend("pytorch")).isInstanceOf(PytorchBackendProvider.class);
    assertThat(provider.properties()).extracting(ConfigProperty::key).containsExactly("device", "dtype", "threads");
    assertThat(provider.capabilities()).containsExactlyInAnyOrder(BackendCapability.values());
  }

  @Test
  void availableHereSaysWhatItRunsOn() {
    Availability a = provider.availability();
    assumeTrue(a.available(), () -> "libtorch cannot load here, skipping: " + a.detail());
    assertThat(a.detail()).matches("libtorch \\d+\\.\\d+\\.\\d+ (cpu|cuda.*)");
  }

  @Test
  void aLibtorchThatFailsToLoadIsReportedNotThrown() {
    PytorchBackendProvider broken = new PytorchBackendProvider(new LibTorch(() -> {
      throw new EngineException("Failed to load PyTorch native library", new UnsatisfiedLinkError("/x/libtorch.so: invalid ELF header"));
    }));
    Availability a = broken.availability();
    assertThat(a.available()).isFalse();
    assertThat(a.detail()).startsWith("libtorch failed to load: EngineException: Failed to load PyTorch native library")
        .contains("UnsatisfiedLinkError: /x/libtorch.so: invalid ELF header")
        .doesNotContain("\n");
    assertThat(broken.isAvailable()).isFalse();
    assertThatThrownBy(() -> broken.create(config(broken, Map.of())))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("'pytorch' is not available")
        .hasMessageContaining("invalid ELF header");
    // errors (not just exceptions) are caught too
    PytorchBackendProvider linkError = new PytorchBackendProvider(new LibTorch(() -> {
      throw new UnsatisfiedLinkError("no djl_torch in java.library.path");
    }));
    assertThat(linkError.availability().detail()).contains("no djl_torch");
  }

  @Test
  void bfloat16IsRefusedWithTheReason() {
    assertThatThrownBy(() -> provider.create(config(provider, Map.of("dtype", "bfloat16"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ra.backend.pytorch.dtype")
        .hasMessageContaining("float16");
  }

  @Test
  void gpuWithoutAVisibleGpuIsAConfigurationError() {
    LibTorch.State state = LibTorch.djl().state();
    assumeTrue(state.loaded(), () -> "libtorch cannot load here, skipping: " + state.availability().detail());
    assumeTrue(state.gpus() == 0, "a GPU is visible here");
    assertThatThrownBy(() -> provider.create(config(provider, Map.of("device", "gpu"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("device=gpu")
        .hasMessageContaining("device=cpu");
    try (KvCacheBackend auto = provider.create(config(provider, Map.of("device", "auto", "dtype", "float16")))) {
      assertThat(auto.name()).isEqualTo("pytorch");
      assertThat(auto.storageDtype()).isEqualTo(KvDtype.F16);
      assertThat(((PytorchBackend) auto).device().isGpu()).isFalse();
    }
  }

  @Test
  void offlineModeIsSetUnlessTheUserDecided() {
    assumeTrue(System.getenv(LibTorch.OFFLINE_ENV) == null, "DJL_OFFLINE is set in the environment");
    String before = System.getProperty(LibTorch.OFFLINE_PROPERTY);
    try {
      System.setProperty(LibTorch.OFFLINE_PROPERTY, "false");
      LibTorch.preferOffline();
      assertThat(System.getProperty(LibTorch.OFFLINE_PROPERTY)).as("a user's choice is kept").isEqualTo("false");
      System.clearProperty(LibTorch.OFFLINE_PROPERTY);
      LibTorch.preferOffline();
      assertThat(System.getProperty(LibTorch.OFFLINE_PROPERTY)).isEqualTo("true");
    } finally {
      if (before == null) {
        System.clearProperty(LibTorch.OFFLINE_PROPERTY);
      } else {
        System.setProperty(LibTorch.OFFLINE_PROPERTY, before);
      }
    }
  }

  /**
   * A real loading failure in a fresh JVM: {@code PYTORCH_LIBRARY_PATH} points DJL at a "libtorch"
   * that is not a shared library. The JVM must survive and report the reason.
   */
  @Test
  void aBrokenLibtorchInAFreshJvmLeavesItRunning(@TempDir Path dir) throws IOException, InterruptedException {
    Path fake = Files.createDirectories(dir.resolve("libtorch"));
    Files.writeString(fake.resolve("libtorch.so"), "not a shared library");
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(AvailabilityProbe.class.getName());
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("PYTORCH_LIBRARY_PATH", fake.toString());
    pb.environment().put("DJL_CACHE_DIR", dir.resolve("djl").toString());
    pb.environment().put("ENGINE_CACHE_DIR", dir.resolve("engines").toString());
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("available=false").contains("libtorch failed to load");
  }
}
