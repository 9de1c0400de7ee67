package org.recycledattention.backend.onnx;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import org.recycledattention.api.config.ProviderConfig;

/**
 * The validated keys of the {@code onnx} backend.
 *
 * @param threads intra-op threads per session; 0 lets ONNX Runtime choose (one per physical core)
 * @param executionProvider where graphs run
 * @param optimization ONNX Runtime's graph optimisation level
 */
record OnnxSettings(int threads, ExecutionProvider executionProvider, Optimization optimization) {
  /** ONNX Runtime execution providers this backend can ask for. */
  enum ExecutionProvider {
    CPU, CUDA
  }

  /** ONNX Runtime's graph optimisation levels, as {@code ra.backend.onnx.optimization-level} spells them. */
  enum Optimization {
    NONE, BASIC, EXTENDED, ALL
  }

  OnnxSettings {
    requireNonNull(executionProvider, "executionProvider is null");
    requireNonNull(optimization, "optimization is null");
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be >= 0, got " + threads);
    }
  }

  static OnnxSettings defaults() {
    return new OnnxSettings(0, ExecutionProvider.CPU, Optimization.ALL);
  }

  static OnnxSettings from(ProviderConfig config) {
    return new OnnxSettings(config.get(OnnxBackendProvider.THREADS),
        ExecutionProvider.valueOf(config.get(OnnxBackendProvider.EXECUTION_PROVIDER).toUpperCase(Locale.ROOT)),
        Optimization.valueOf(config.get(OnnxBackendProvider.OPTIMIZATION_LEVEL).toUpperCase(Locale.ROOT)));
  }
}
