package org.recycledattention.policy.recycled;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.api.policy.support.AbstractPolicyProvider;
import org.recycledattention.api.provider.ProviderInfo;
import org.recycledattention.policy.support.PolicyKeys;

/** Provider of {@code recycled} (Recycled Attention / RefreshKV). Thread-safe. */
public final class RecycledPolicyProvider extends AbstractPolicyProvider {
  public static final String NAME = "recycled";
  public static final ConfigProperty<String> SCHEDULE = ConfigProperty.ofChoice("schedule", "fixed", List.of("fixed", "dynamic"),
      "when to do a full step: every stride decode steps (fixed) or per layer when the query drifts (dynamic, query similarity)");
  public static final ConfigProperty<Integer> STRIDE = ConfigProperty.ofInt("stride", 10, 1, Integer.MAX_VALUE,
      "fixed schedule: a full step every stride decode steps (stride - 1 recycled steps between; 1 = always full)");
  public static final ConfigProperty<Integer> CHECK_INTERVAL = ConfigProperty.ofInt("check-interval", 5, 1, Integer.MAX_VALUE,
      "dynamic schedule: check the query similarity every check-interval decode steps (the paper's QC: 5 or 10)");
  public static final ConfigProperty<Double> SIMILARITY_THRESHOLD = ConfigProperty.ofDouble("similarity-threshold", 0.85, -1.0, 1.0,
      "dynamic schedule: a layer does a full step when the cosine similarity of its mean query to that of its last full step is below this");
  public static final ConfigProperty<String> GROUP_REDUCTION = ConfigProperty.ofChoice("group-reduction", "max", List.of("max", "mean", "first"),
      "how the scores of the query heads sharing a KV head are combined (the paper: max ~ mean > first)");
  public static final ConfigProperty<Integer> POOL_KERNEL = ConfigProperty.ofInt("pool-kernel", 7, 1, Integer.MAX_VALUE,
      "1-D max-pooling kernel over neighbouring tokens' scores before the top-K selection (the paper: 7)")
      .withCheck(v -> v % 2 == 1, "an odd integer >= 1");
  public static final ConfigProperty<Integer> LOCAL_TOKENS = ConfigProperty.ofInt("local-tokens", 0, 0, Integer.MAX_VALUE,
      "most recent tokens always kept in the partial cache, inside the budget (v1's local window; 0 = pure top-K)");

  public RecycledPolicyProvider() {
    super(new ProviderInfo(NAME,
        "Recycled Attention (RefreshKV): full cache kept, decode attends a K-token partial cache refreshed by periodic full steps", SCHEDULE, STRIDE, CHECK_INTERVAL, SIMILARITY_THRESHOLD, GROUP_REDUCTION, POOL_KERNEL, LOCAL_TOKENS),
        Set.of(BackendCapability.PARTIAL_CACHE, BackendCapability.SCORES));
  }

  /**
   * @throws org.recycledattention.api.config.ConfigException when {@code local-tokens} exceeds
   *     {@code ra.budget}
   */
  @Override
  protected AttentionPolicy newPolicy(PolicyConfig config, ModelShape shape) {
    return new RecycledPolicy(settings(config), shape);
  }

  /** The validated settings of {@code config}. */
  public static RecycledSettings settings(PolicyConfig config) {
    ProviderConfig p = config.properties();
    int localTokens = p.get(LOCAL_TOKENS);
    if (localTokens > config.budget()) {
      String localKey = PolicyKeys.qualified(config, LOCAL_TOKENS);
      throw PolicyKeys.conflict(localKey + " (" + localTokens + ") must not exceed " + PolicyKeys.BUDGET + " (" + config.budget()
          + "): the local tokens are part of the budget", "lower " + localKey + " or raise " + PolicyKeys.BUDGET);
    }
    return new RecycledSettings(config.budget(), RecycleSchedule.fromConfigName(p.get(SCHEDULE)), p.get(STRIDE),
        p.get(CHECK_INTERVAL), p.get(SIMILARITY_THRESHOLD),
        GroupReduction.valueOf(p.get(GROUP_REDUCTION).toUpperCase(Locale.ROOT)), p.get(POOL_KERNEL), localTokens);
  }
}
