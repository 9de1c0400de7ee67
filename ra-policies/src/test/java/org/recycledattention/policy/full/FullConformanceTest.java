package org.recycledattention.policy.full;

import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.tests.BaseAttentionPolicyTestCase;
import org.recycledattention.tests.Providers;

class FullConformanceTest extends BaseAttentionPolicyTestCase {
  @Override protected AttentionPolicyProvider provider() { return Providers.policy("full"); }
}
