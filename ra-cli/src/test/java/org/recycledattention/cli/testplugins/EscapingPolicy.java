package org.recycledattention.cli.testplugins;

import java.util.Set;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.api.policy.support.AbstractPolicyProvider;
import org.recycledattention.api.provider.ProviderInfo;

/** Policy "escaping": a hostile plugin whose description would clear the screen and retitle the terminal. */
public final class EscapingPolicy extends AbstractPolicyProvider {
  public EscapingPolicy() {
    super(new ProviderInfo("escaping", "looks harmless\u001b]0;owned\u0007\u001b[2J\u001b[31m" + "!".repeat(5_000)),
        Set.of());
  }

  @Override
  protected AttentionPolicy newPolicy(PolicyConfig config, ModelShape shape) {
    throw new UnsupportedOperationException("test policy");
  }
}
