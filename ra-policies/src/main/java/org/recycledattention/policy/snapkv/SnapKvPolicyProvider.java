package org.recycledattention.policy.snapkv;

import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.api.policy.support.AbstractPolicyProvider;
import org.recycledattention.api.provider.ProviderInfo;

/** Provider of {@code snapkv} (one-time selection after prefill). Thread-safe. */
public final class SnapKvPolicyProvider extends AbstractPolicyProvider {
  public static final String NAME = "snapkv";
  /** Max-pooling kernel over neighbouring slots, odd. */
  public static final ConfigProperty<Integer> POOL_KERNEL = ConfigProperty.ofInt("pool-kernel", 7, 1, Integer.MAX_VALUE,
      "1-D max-pooling kernel over neighbouring tokens' scores before the top-K selection (SnapKV: 7)")
      .withCheck(v -> v % 2 == 1, "an odd integer >= 1");

  public SnapKvPolicyProvider() {
    super(new ProviderInfo(NAME,
        "SnapKV: keep the top-K tokens by the last prompt token's max-pooled attention, selected once after prefill", POOL_KERNEL),
        Set.of(BackendCapability.EVICTION, BackendCapability.SCORES));
  }

  @Override
  protected AttentionPolicy newPolicy(PolicyConfig config, ModelShape shape) {
    return new SnapKvPolicy(config.budget(), config.properties().get(POOL_KERNEL), shape);
  }
}
