package org.recycledattention.policy.recycled;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.policy.support.PolicyKeys;

/** Provider of {@code recycled} (Recycled Attention / RefreshKV). Thread-safe. */
public final class RecycledPolicyProvider implements AttentionPolicyProvider {
  public static final String NAME = "recycled";
  public static final String SCHEDULE = "schedule";
  public static final String STRIDE = "stride";
  public static final String CHECK_INTERVAL = "check-interval";
  public static final String SIMILARITY_THRESHOLD = "similarity-threshold";
  public static final String GROUP_REDUCTION = "group-reduction";
  public static final String POOL_KERNEL = "pool-kernel";
  public static final String LOCAL_TOKENS = "local-tokens";

  private static final List<ConfigProperty> PROPERTIES = List.of(
      ConfigProperty.ofChoice(SCHEDULE, "fixed", List.of("fixed", "dynamic"),
          "when to do a full step: every stride decode steps (fixed) or per layer when the query drifts (dynamic, query similarity)"),
      ConfigProperty.ofInt(STRIDE, 10, 1, Integer.MAX_VALUE,
          "fixed schedule: a full step every stride decode steps (stride - 1 recycled steps between; 1 = always full)"),
      ConfigProperty.ofInt(CHECK_INTERVAL, 5, 1, Integer.MAX_VALUE,
          "dynamic schedule: check the query similarity every check-interval decode steps (the paper's QC: 5 or 10)"),
      ConfigProperty.ofDouble(SIMILARITY_THRESHOLD, 0.85, -1.0, 1.0,
          "dynamic schedule: a layer does a full step when the cosine similarity of its mean query to that of its last full step is below this"),
      ConfigProperty.ofChoice(GROUP_REDUCTION, "max", List.of("max", "mean", "first"),
          "how the scores of the query heads sharing a KV head are combined (the paper: max ~ mean > first)"),
      ConfigProperty.ofInt(POOL_KERNEL, 7, 1, Integer.MAX_VALUE,
              "1-D max-pooling kernel over neighbouring tokens' scores before the top-K selection (the paper: 7)")
          .withCheck(v -> ((Integer) v) % 2 == 1, "an odd integer >= 1"),
      ConfigProperty.ofInt(LOCAL_TOKENS, 0, 0, Integer.MAX_VALUE,
          "most recent tokens always kept in the partial cache, inside the budget (v1's local window; 0 = pure top-K)"));

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Recycled Attention (RefreshKV): full cache kept, decode attends a K-token partial cache refreshed by periodic full steps";
  }

  @Override
  public List<ConfigProperty> properties() {
    return PROPERTIES;
  }

  @Override
  public Set<BackendCapability> requiredCapabilities() {
    return Set.of(BackendCapability.PARTIAL_CACHE, BackendCapability.SCORES);
  }

  /**
   * @throws org.recycledattention.api.config.ConfigException when {@code local-tokens} exceeds
   *     {@code ra.budget}
   */
  @Override
  public AttentionPolicy create(PolicyConfig config, ModelShape shape) {
    requireNonNull(config, "config is null");
    requireNonNull(shape, "shape is null");
    return new RecycledPolicy(settings(config), shape);
  }

  /** The validated settings of {@code config}. */
  public static RecycledSettings settings(PolicyConfig config) {
    ProviderConfig p = config.properties();
    int localTokens = p.getInt(LOCAL_TOKENS);
    if (localTokens > config.budget()) {
      String localKey = PolicyKeys.qualified(config, LOCAL_TOKENS);
      throw PolicyKeys.conflict(localKey + " (" + localTokens + ") must not exceed " + PolicyKeys.BUDGET + " (" + config.budget()
          + "): the local tokens are part of the budget", "lower " + localKey + " or raise " + PolicyKeys.BUDGET);
    }
    return new RecycledSettings(config.budget(), RecycleSchedule.fromConfigName(p.getString(SCHEDULE)), p.getInt(STRIDE),
        p.getInt(CHECK_INTERVAL), p.getDouble(SIMILARITY_THRESHOLD),
        GroupReduction.valueOf(p.getString(GROUP_REDUCTION).toUpperCase(Locale.ROOT)), p.getInt(POOL_KERNEL), localTokens);
  }
}
