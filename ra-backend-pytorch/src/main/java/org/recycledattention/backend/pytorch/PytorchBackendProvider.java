package org.recycledattention.backend.pytorch;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import java.util.EnumSet;
import java.util.List;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.support.AbstractBackendProvider;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.provider.Availability;
import org.recycledattention.api.provider.ProviderException;
import org.recycledattention.api.provider.ProviderInfo;

/**
 * The {@code pytorch} KV-cache backend: keys, values and attention as libtorch tensors through DJL,
 * on the CPU or a CUDA GPU.
 *
 * <p>Keys (prefix {@code ra.backend.pytorch.}): {@code device} = {@code auto} | {@code cpu} | {@code
 * gpu}; {@code dtype} = {@code float32} | {@code float16} (or {@code f32} | {@code f16}, the cpu backend's
 * spelling; {@code bfloat16} is refused, see {@link #create}); {@code threads} = libtorch intra-op threads (default 1), 0 for libtorch's default.
 *
 * <p>The constructor does nothing; libtorch loads on the first {@link #availability()} or {@link
 * #create} and never takes the JVM down when it cannot. Thread-safe.
 */
public final class PytorchBackendProvider extends AbstractBackendProvider {
  public static final String NAME = "pytorch";

  public static final ConfigProperty<String> DEVICE = ConfigProperty.ofChoice("device", "auto", List.of("auto", "cpu", "gpu"),
      "where the KV cache lives: auto = a CUDA GPU when libtorch sees one, else the CPU");
  public static final ConfigProperty<String> DTYPE = ConfigProperty.ofChoice("dtype", "float32",
      List.of("float32", "float16", "bfloat16", "f32", "f16", "bf16"),
      "storage type of cached keys and values; f32/f16/bf16 as in the cpu backend also work"
          + " (bfloat16 is refused: DJL's PyTorch JNI has no bfloat16)");
  // Default 1: one decode attend is a small, bandwidth-bound job, and libtorch's OpenMP workers
  // spin after every parallel op, stealing the cores the engine's own threads need next (on a
  // busy 2-core machine 2 threads made attends 10-30x slower than 1).
  public static final ConfigProperty<Integer> THREADS = ConfigProperty.ofInt("threads", 1, 0, 4096,
      "libtorch intra-op threads for the whole process; 0 keeps libtorch's default (one per core)");

  private final LibTorch libTorch;

  public PytorchBackendProvider() {
    this(LibTorch.djl());
  }

  PytorchBackendProvider(LibTorch libTorch) {
    super(new ProviderInfo(NAME, "KV cache and attention as libtorch tensors (DJL) on the CPU or a CUDA GPU", DEVICE, DTYPE, THREADS), EnumSet.allOf(BackendCapability.class));
    this.libTorch = requireNonNull(libTorch, "libTorch is null");
  }

  @Override
  public Availability availability() {
    try {
      return libTorch.state().availability();
    } catch (RuntimeException | Error e) { // state() already catches; belt and braces for the contract
      return Availability.unavailable("libtorch failed to load: " + LibTorch.describe(e));
    }
  }

  /**
   * A backend on the configured device.
   *
   * @throws ProviderException when libtorch cannot load here (the message says why)
   * @throws ConfigException for {@code device=gpu} without a visible CUDA device, or {@code
   *     dtype=bfloat16}
   */
  @Override
  protected KvCacheBackend newBackend(ProviderConfig config) {
    String dtypeName = config.get(DTYPE);
    KvDtype dtype = switch (dtypeName) {
      case "float16", "f16" -> KvDtype.F16;
      case "bfloat16", "bf16" -> throw new ConfigException("invalid value '" + dtypeName + "' for " + config.prefix() + DTYPE.key() + ": DJL's PyTorch JNI"
          + " cannot create bfloat16 tensors (it aborts the JVM); use float16 or float32 here, or the cpu backend for bfloat16");
      default -> KvDtype.F32;
    };
    LibTorch.State state = libTorch.state();
    if (!state.loaded()) {
      throw new ProviderException("KV-cache backend '" + NAME + "' is not available: " + state.availability().detail());
    }
    String wanted = config.get(DEVICE);
    boolean gpuVisible = state.cuda() && state.gpus() > 0;
    Device device = switch (wanted) {
      case "gpu" -> {
        if (!gpuVisible) {
          throw new ConfigException(config.prefix() + DEVICE.key() + "=gpu but libtorch sees no CUDA device (" + state.availability().detail()
              + "); use device=cpu or auto, or build with -Pcuda on a machine with an NVIDIA GPU (see ra-backend-pytorch/README.md)");
        }
        yield Device.gpu(0);
      }
      case "cpu" -> Device.cpu();
      default -> gpuVisible ? Device.gpu(0) : Device.cpu();
    };
    int threads = config.get(THREADS);
    if (threads > 0) {
      JniUtils.setNumThreads(threads);
    }
    return new PytorchBackend(state.engine(), device, dtype, state.availability().detail());
  }
}
