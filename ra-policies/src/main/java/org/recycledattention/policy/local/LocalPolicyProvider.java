package org.recycledattention.policy.local;

import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.api.policy.support.AbstractPolicyProvider;
import org.recycledattention.api.provider.ProviderInfo;
import org.recycledattention.policy.support.PolicyKeys;

/** Provider of {@code local} (StreamingLLM: sinks plus a recent window). Thread-safe. */
public final class LocalPolicyProvider extends AbstractPolicyProvider {
  public static final String NAME = "local";
  /** Attention sinks kept at the start of the sequence. */
  public static final ConfigProperty<Integer> SINK_TOKENS = ConfigProperty.ofInt("sink-tokens", 4, 0, Integer.MAX_VALUE,
      "attention-sink tokens kept at the start of the sequence (StreamingLLM: 4); the rest of the budget is the recent window");

  public LocalPolicyProvider() {
    super(new ProviderInfo(NAME,
        "StreamingLLM: keep the first sink-tokens plus the most recent tokens, evicting the rest (budget K)", SINK_TOKENS),
        Set.of(BackendCapability.EVICTION));
  }

  /**
   * @throws org.recycledattention.api.config.ConfigException when {@code ra.budget} does not exceed
   *     {@code sink-tokens}
   */
  @Override
  protected AttentionPolicy newPolicy(PolicyConfig config, ModelShape shape) {
    int sinkTokens = config.properties().get(SINK_TOKENS);
    if (config.budget() <= sinkTokens) {
      String sinkKey = PolicyKeys.qualified(config, SINK_TOKENS);
      throw PolicyKeys.conflict(PolicyKeys.BUDGET + " (" + config.budget() + ") must exceed " + sinkKey + " (" + sinkTokens
          + ") so that the recent window holds at least one token", "raise " + PolicyKeys.BUDGET + " or lower " + sinkKey);
    }
    return new LocalPolicy(config.budget(), sinkTokens, shape);
  }
}
