package org.recycledattention.cli.testplugins;

import java.util.Set;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.api.policy.support.AbstractPolicyProvider;
import org.recycledattention.api.provider.ProviderInfo;

/**
 * Policy "failing-assertion": a plugin with a bug that throws an {@link AssertionError} (an
 * {@code Error}, not an exception) when a sequence starts, with terminal escapes in its message.
 */
public final class FailingAssertionPolicy extends AbstractPolicyProvider {
  public FailingAssertionPolicy() {
    super(new ProviderInfo("failing-assertion", "test policy whose create() fails an assertion"), Set.of());
  }

  @Override
  protected AttentionPolicy newPolicy(PolicyConfig config, ModelShape shape) {
    throw new AssertionError("plugin invariant broken \u001b]0;owned\u0007\u001b[2J");
  }
}
