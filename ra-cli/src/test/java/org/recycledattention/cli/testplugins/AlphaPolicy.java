package org.recycledattention.cli.testplugins;

import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.api.policy.support.AbstractPolicyProvider;
import org.recycledattention.api.provider.ProviderInfo;

/** Policy "alpha" with one key, {@code window}. */
public final class AlphaPolicy extends AbstractPolicyProvider {
  public AlphaPolicy() {
    super(new ProviderInfo("alpha", "test policy alpha",
        ConfigProperty.ofInt("window", 4, 1, 64, "tokens in the test window")), Set.of(BackendCapability.SCORES));
  }

  @Override
  protected AttentionPolicy newPolicy(PolicyConfig config, ModelShape shape) {
    throw new UnsupportedOperationException("test policy alpha creates no policy");
  }
}
