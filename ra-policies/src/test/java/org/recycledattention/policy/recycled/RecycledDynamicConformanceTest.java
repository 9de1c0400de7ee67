package org.recycledattention.policy.recycled;

import java.util.Map;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.tests.BaseAttentionPolicyTestCase;
import org.recycledattention.tests.Providers;

class RecycledDynamicConformanceTest extends BaseAttentionPolicyTestCase {
  @Override protected AttentionPolicyProvider provider() { return Providers.policy("recycled"); }
  @Override protected Map<String, String> config() { return Map.of("schedule", "dynamic", "group-reduction", "mean", "local-tokens", "4"); }
}
