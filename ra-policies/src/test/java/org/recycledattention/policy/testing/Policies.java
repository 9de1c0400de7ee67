package org.recycledattention.policy.testing;

import java.util.Map;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;

/** Builds policies through their providers from raw key/values, as the engine would. */
public final class Policies {
  private Policies() {}

  /** The validated configuration: budget plus {@code raw} (prefix-stripped keys). */
  public static PolicyConfig config(AttentionPolicyProvider provider, int budget, Map<String, String> raw) {
    return new PolicyConfig(budget, ProviderConfig.resolve("ra.policy." + provider.name() + ".", provider.properties(), raw));
  }

  public static AttentionPolicy create(AttentionPolicyProvider provider, int budget, Map<String, String> raw, ModelShape shape) {
    return provider.create(config(provider, budget, raw), shape);
  }

  /** A shape with a context long enough for any test. */
  public static ModelShape shape(int layers, int queryHeads, int kvHeads, int headDim) {
    return new ModelShape(layers, queryHeads, kvHeads, headDim, 1 << 16);
  }
}
