package org.recycledattention.examples.trace;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;

/**
 * Entry point of the {@code trace} policy: full attention at every step, and a trace of the attention
 * probabilities. Keys, under {@code ra.policy.trace.}: {@code file} (where the trace goes; empty =
 * stderr), {@code decode-steps} (decode steps traced, default 8), {@code top} (positions listed per
 * head after the prompt, default 6), {@code pool-kernel} (pooling of the selection whose coverage is
 * reported, default 7 as in the paper). The selection size is {@code ra.budget}.
 *
 * <p>Stateless and thread-safe.
 */
public final class TracePolicyProvider implements AttentionPolicyProvider {
  public static final String NAME = "trace";
  public static final String FILE = "file";
  public static final String DECODE_STEPS = "decode-steps";
  public static final String TOP = "top";
  public static final String POOL_KERNEL = "pool-kernel";

  private static final List<ConfigProperty> PROPERTIES = List.of(
      ConfigProperty.ofString(FILE, "", "file the trace is appended to; empty: stderr"),
      ConfigProperty.ofInt(DECODE_STEPS, 8, 0, 1 << 20, "decode steps traced after the prompt"),
      ConfigProperty.ofInt(TOP, 6, 1, 1024, "most attended positions listed per layer and KV head after the prompt"),
      ConfigProperty.ofInt(POOL_KERNEL, 7, 1, 1023, "odd max-pooling kernel of the prompt-end selection whose coverage is reported"));

  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public TracePolicyProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "full attention that traces where attention goes and how much of it the prompt-end top-K selection covers";
  }

  @Override
  public List<ConfigProperty> properties() {
    return PROPERTIES;
  }

  /** Full attention: nothing is evicted, so {@code ra.budget} is only the size of the traced selection. */
  @Override
  public boolean usesBudget() {
    return false;
  }

  @Override
  public Set<BackendCapability> requiredCapabilities() {
    return EnumSet.of(BackendCapability.SCORES);
  }

  @Override
  public AttentionPolicy create(PolicyConfig config, ModelShape shape) {
    requireNonNull(config, "config is null");
    requireNonNull(shape, "shape is null");
    int kernel = config.properties().getInt(POOL_KERNEL);
    if (kernel % 2 == 0) {
      throw new ConfigException("invalid value '" + kernel + "' for ra.policy.trace." + POOL_KERNEL + ": expected an odd kernel such as 7");
    }
    String file = config.properties().getString(FILE);
    return new TracePolicy(config.budget(), kernel, config.properties().getInt(TOP), config.properties().getInt(DECODE_STEPS),
        file.isBlank() ? null : Path.of(file));
  }
}
