package org.recycledattention.examples.tova;

import java.util.Map;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.tests.BaseAttentionPolicyTestCase;

class TovaMaxReductionPolicyTest extends BaseAttentionPolicyTestCase {
  @Override protected AttentionPolicyProvider provider() { return new TovaPolicyProvider(); }
  @Override protected Map<String, String> config() { return Map.of("group-reduction", "max"); }
}
