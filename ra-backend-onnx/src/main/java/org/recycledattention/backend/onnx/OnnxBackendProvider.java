package org.recycledattention.backend.onnx;

import ai.onnxruntime.OrtEnvironment;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import org.recycledattention.api.RaException;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.support.AbstractBackendProvider;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.provider.Availability;
import org.recycledattention.api.provider.ProviderInfo;

/**
 * The {@code onnx} backend's entry point. Keys, under {@code ra.backend.onnx.}: {@code threads}
 * (intra-op threads, 0 = ONNX Runtime's default), {@code execution-provider} ({@code cpu}, or
 * {@code cuda} with the ONNX Runtime GPU jar on the class path) and {@code optimization-level}
 * ({@code none}, {@code basic}, {@code extended}, {@code all}).
 *
 * <p>ONNX Runtime's native library is loaded on the first {@link #availability()} or {@link
 * #create} call, never in the constructor; a failure to load is reported, not thrown. Thread-safe.
 */
public final class OnnxBackendProvider extends AbstractBackendProvider {
  public static final ConfigProperty<Integer> THREADS = ConfigProperty.ofInt("threads", 0, 0, 4096,
      "ONNX Runtime intra-op threads per graph run; 0 = ONNX Runtime's default (one per physical core)");
  public static final ConfigProperty<String> EXECUTION_PROVIDER = ConfigProperty.ofChoice("execution-provider", "cpu",
      List.of("cpu", "cuda"), "where graphs run; cuda needs the ONNX Runtime GPU jar (onnxruntime_gpu) in place of onnxruntime");
  public static final ConfigProperty<String> OPTIMIZATION_LEVEL = ConfigProperty.ofChoice("optimization-level", "all",
      List.of("none", "basic", "extended", "all"), "ONNX Runtime graph optimisation level applied when a graph is first loaded");

  private volatile Availability availability;

  /** Public no-argument constructor for {@link ServiceLoader}; loads nothing. */
  public OnnxBackendProvider() {
    super(new ProviderInfo(OnnxBackend.NAME,
        "KV cache in native buffers wrapped as ONNX Runtime tensors; attention and top-K as ONNX graphs built in Java", THREADS, EXECUTION_PROVIDER, OPTIMIZATION_LEVEL),
        OnnxBackend.CAPABILITIES);
  }

  @Override
  public Availability availability() {
    Availability a = availability;
    if (a == null) {
      a = probe();
      availability = a;
    }
    return a;
  }

  private static Availability probe() {
    return probe(() -> {
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      return "ONNX Runtime " + env.getVersion() + ", execution providers " + OrtEnvironment.getAvailableProviders();
    });
  }

  /**
   * Runs {@code load} (which loads ONNX Runtime and describes it) and reports the outcome. Loading a
   * native library fails in many ways (UnsatisfiedLinkError, ExceptionInInitializerError, a
   * NoClassDefFoundError on the second try, a RuntimeException from the loader): every Throwable
   * becomes an unavailable result with its reason, so a missing native never takes the JVM down.
   */
  static Availability probe(Supplier<String> load) {
    try {
      return Availability.available(load.get());
    } catch (Throwable t) {
      return Availability.unavailable("ONNX Runtime cannot load on " + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
          + ": " + t + "; the onnxruntime jar carries natives for linux, macOS and Windows on x64 and aarch64");
    }
  }

  @Override
  protected KvCacheBackend newBackend(ProviderConfig config) {
    OnnxSettings settings = OnnxSettings.from(config);
    Availability a = availability();
    if (!a.available()) {
      throw new RaException("backend 'onnx' is not available: " + a.detail() + "; choose another backend with ra.backend");
    }
    return OnnxBackend.create(settings);
  }
}
