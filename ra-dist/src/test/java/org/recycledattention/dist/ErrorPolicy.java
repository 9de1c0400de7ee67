package org.recycledattention.dist;

import java.util.Set;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.api.policy.support.AbstractPolicyProvider;
import org.recycledattention.api.provider.ProviderInfo;

/** Policy "error-policy", packed into a plugin jar by {@link LauncherTest}: its create() throws an {@link Error}. */
public final class ErrorPolicy extends AbstractPolicyProvider {
  public ErrorPolicy() {
    super(new ProviderInfo("error-policy", "a plugin with a bug: create() fails an assertion"), Set.of());
  }

  @Override
  protected AttentionPolicy newPolicy(PolicyConfig config, ModelShape shape) {
    throw new AssertionError("error-policy: invariant broken");
  }
}
