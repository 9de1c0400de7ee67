package org.recycledattention.engine.config;

import java.util.List;
import org.recycledattention.api.config.ConfigProperty;

/**
 * Global keys the engine reads besides the core {@code ra.policy}, {@code ra.backend} and {@code
 * ra.budget}: passed to {@link org.recycledattention.engine.config.ConfigValidator} as extra globals,
 * so they are layered, validated and listed like every other key.
 */
public final class EngineKeys {
  /** {@code ra.threads}: threads of the dense kernels (prefix-stripped key). */
  public static final String THREADS = "threads";

  private EngineKeys() {}

  /** The extra global keys, prefix-stripped ({@code threads} for {@code ra.threads}). */
  public static List<ConfigProperty> properties() {
    int cores = Math.min(Runtime.getRuntime().availableProcessors(), 4096);
    return List.of(ConfigProperty.ofInt(THREADS, cores, 1, 4096,
        "threads for the model's matrix kernels (default: the available processors)"));
  }
}
