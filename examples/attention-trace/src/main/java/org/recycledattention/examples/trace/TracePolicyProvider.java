package org.recycledattention.examples.trace;

import java.nio.file.Path;
import java.util.EnumSet;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.api.policy.support.AbstractPolicyProvider;
import org.recycledattention.api.provider.ProviderInfo;

/**
 * Entry point of the {@code trace} policy: full attention at every step, and a trace of the attention
 * probabilities. Keys, under {@code ra.policy.trace.}: {@code file} (where the trace goes; empty =
 * stderr), {@code decode-steps} (decode steps traced, default 8), {@code top} (positions listed per
 * head after the prompt, default 6), {@code pool-kernel} (pooling of the selection whose coverage is
 * reported, default 7 as in the paper). The selection size is {@code ra.budget}.
 *
 * <p>Stateless and thread-safe.
 */
public final class TracePolicyProvider extends AbstractPolicyProvider {
  public static final String NAME = "trace";
  public static final ConfigProperty<String> FILE = ConfigProperty.ofString("file", "", "file the trace is appended to; empty: stderr");
  public static final ConfigProperty<Integer> DECODE_STEPS = ConfigProperty.ofInt("decode-steps", 8, 0, 1 << 20, "decode steps traced after the prompt");
  public static final ConfigProperty<Integer> TOP = ConfigProperty.ofInt("top", 6, 1, 1024, "most attended positions listed per layer and KV head after the prompt");
  public static final ConfigProperty<Integer> POOL_KERNEL = ConfigProperty.ofInt("pool-kernel", 7, 1, 1023, "odd max-pooling kernel of the prompt-end selection whose coverage is reported");

  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public TracePolicyProvider() {
    super(new ProviderInfo(NAME,
        "full attention that traces where attention goes and how much of it the prompt-end top-K selection covers", FILE, DECODE_STEPS, TOP, POOL_KERNEL),
        EnumSet.of(BackendCapability.SCORES));
  }

  /** Full attention: nothing is evicted, so {@code ra.budget} is only the size of the traced selection. */
  @Override
  public boolean usesBudget() {
    return false;
  }

  @Override
  protected AttentionPolicy newPolicy(PolicyConfig config, ModelShape shape) {
    int kernel = config.properties().get(POOL_KERNEL);
    if (kernel % 2 == 0) {
      throw new ConfigException("invalid value '" + kernel + "' for ra.policy.trace." + POOL_KERNEL + ": expected an odd kernel such as 7");
    }
    String file = config.properties().get(FILE);
    return new TracePolicy(config.budget(), kernel, config.properties().get(TOP), config.properties().get(DECODE_STEPS),
        file.isBlank() ? null : Path.of(file));
  }
}
