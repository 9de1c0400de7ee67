package org.recycledattention.cli.testplugins;

import java.util.Set;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.api.policy.support.AbstractPolicyProvider;
import org.recycledattention.api.provider.ProviderInfo;

/** A provider that fails while the service loader creates it, with terminal escapes in its message. */
public final class ThrowingConstructorPolicy extends AbstractPolicyProvider {
  public ThrowingConstructorPolicy() {
    super(new ProviderInfo("throwing-constructor", "never created"), Set.of());
    throw new IllegalStateException("cannot start \u001b[2J\u001b]0;owned\u0007");
  }

  @Override
  protected AttentionPolicy newPolicy(PolicyConfig config, ModelShape shape) {
    throw new UnsupportedOperationException("never created");
  }
}
