package org.recycledattention.examples.tova;

import java.util.EnumSet;
import java.util.List;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.api.policy.support.AbstractPolicyProvider;
import org.recycledattention.api.provider.ProviderInfo;

/**
 * Entry point of the {@code tova} policy. Keys, under {@code ra.policy.tova.}: {@code group-reduction}
 * ({@code mean} | {@code max}, default {@code mean}): how the attention of the query heads that share
 * a KV head is combined before the lowest is evicted.
 *
 * <p>Stateless and thread-safe.
 */
public final class TovaPolicyProvider extends AbstractPolicyProvider {
  public static final String NAME = "tova";
  public static final ConfigProperty<String> GROUP_REDUCTION = ConfigProperty.ofChoice("group-reduction", "mean", List.of("mean", "max"),
      "how the attention of the query heads sharing a KV head is combined before the lowest token is evicted (the paper averages)");

  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public TovaPolicyProvider() {
    super(new ProviderInfo(NAME,
        "TOVA: when over budget, evict the token with the lowest attention from the current query (Oren et al. 2024)", GROUP_REDUCTION),
        EnumSet.of(BackendCapability.SCORES, BackendCapability.EVICTION));
  }

  @Override
  protected AttentionPolicy newPolicy(PolicyConfig config, ModelShape shape) {
    GroupReduction reduction = switch (config.properties().get(GROUP_REDUCTION)) {
      case "max" -> GroupReduction.MAX;
      default -> GroupReduction.MEAN;
    };
    return new TovaPolicy(config.budget(), reduction);
  }
}
