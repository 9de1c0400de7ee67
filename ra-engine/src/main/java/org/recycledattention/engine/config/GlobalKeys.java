package org.recycledattention.engine.config;

import java.util.List;
import org.recycledattention.api.config.ConfigProperty;

/**
 * The global keys {@code ra.<key>}, which belong to no provider: the selection ({@code ra.policy},
 * {@code ra.backend}), the shared budget K ({@code ra.budget}) and the engine's own ({@code
 * ra.threads}). They are layered, validated and listed like every provider's keys.
 */
public final class GlobalKeys {
  /** {@code ra.policy}: the selected attention policy. */
  public static final ConfigProperty<String> POLICY = ConfigProperty.ofString("policy", "recycled",
      "the attention policy (ra policies lists them)");
  /** {@code ra.backend}: the selected KV-cache backend. */
  public static final ConfigProperty<String> BACKEND = ConfigProperty.ofString("backend", "cpu",
      "the KV-cache backend (ra backends lists them)");
  /** {@code ra.budget}: the token budget K of every non-full policy. */
  public static final ConfigProperty<Integer> BUDGET = ConfigProperty.ofInt("budget", 1024, 1, Integer.MAX_VALUE,
      "the token budget K shared by every non-full policy, so that comparisons are at equal budget");
  /** {@code ra.threads}: threads of the model's dense kernels; defaults to the available processors. */
  public static final ConfigProperty<Integer> THREADS = ConfigProperty.ofInt("threads",
      Math.min(Runtime.getRuntime().availableProcessors(), 4096), 1, 4096,
      "threads for the model's matrix kernels (default: the available processors)");

  private GlobalKeys() {}

  /** Every global key, prefix-stripped ({@code threads} for {@code ra.threads}). */
  public static List<ConfigProperty<?>> all() {
    return List.of(POLICY, BACKEND, BUDGET, THREADS);
  }
}
