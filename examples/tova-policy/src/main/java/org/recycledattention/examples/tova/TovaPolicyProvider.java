package org.recycledattention.examples.tova;

import static java.util.Objects.requireNonNull;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;

/**
 * Entry point of the {@code tova} policy. Keys, under {@code ra.policy.tova.}: {@code group-reduction}
 * ({@code mean} | {@code max}, default {@code mean}): how the attention of the query heads that share
 * a KV head is combined before the lowest is evicted.
 *
 * <p>Stateless and thread-safe.
 */
public final class TovaPolicyProvider implements AttentionPolicyProvider {
  public static final String NAME = "tova";
  public static final String GROUP_REDUCTION = "group-reduction";

  private static final List<ConfigProperty> PROPERTIES = List.of(
      ConfigProperty.ofChoice(GROUP_REDUCTION, "mean", List.of("mean", "max"),
          "how the attention of the query heads sharing a KV head is combined before the lowest token is evicted (the paper averages)"));

  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public TovaPolicyProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "TOVA: when over budget, evict the token with the lowest attention from the current query (Oren et al. 2024)";
  }

  @Override
  public List<ConfigProperty> properties() {
    return PROPERTIES;
  }

  @Override
  public Set<BackendCapability> requiredCapabilities() {
    return EnumSet.of(BackendCapability.SCORES, BackendCapability.EVICTION);
  }

  @Override
  public AttentionPolicy create(PolicyConfig config, ModelShape shape) {
    requireNonNull(config, "config is null");
    requireNonNull(shape, "shape is null");
    GroupReduction reduction = switch (config.properties().getString(GROUP_REDUCTION)) {
      case "max" -> GroupReduction.MAX;
      default -> GroupReduction.MEAN;
    };
    return new TovaPolicy(config.budget(), reduction);
  }
}
