package org.recycledattention.policy.recycled;

import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.tests.BaseAttentionPolicyTestCase;
import org.recycledattention.tests.Providers;

class RecycledConformanceTest extends BaseAttentionPolicyTestCase {
  @Override protected AttentionPolicyProvider provider() { return Providers.policy("recycled"); }
}
