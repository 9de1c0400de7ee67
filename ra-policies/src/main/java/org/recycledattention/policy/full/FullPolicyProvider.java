package org.recycledattention.policy.full;

import java.util.Set;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.api.policy.support.AbstractPolicyProvider;
import org.recycledattention.api.provider.ProviderInfo;

/** Provider of {@code full}: attention over the whole cache at every step. Thread-safe. */
public final class FullPolicyProvider extends AbstractPolicyProvider {
  public static final String NAME = "full";

  public FullPolicyProvider() {
    super(new ProviderInfo(NAME,
        "full attention over every cached token at every step (the reference; ignores ra.budget)"),
        Set.of());
  }

  @Override
  public boolean usesBudget() {
    return false;
  }

  @Override
  protected AttentionPolicy newPolicy(PolicyConfig config, ModelShape shape) {
    return new FullPolicy();
  }
}
