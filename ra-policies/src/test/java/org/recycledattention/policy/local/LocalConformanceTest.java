package org.recycledattention.policy.local;

import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.tests.BaseAttentionPolicyTestCase;
import org.recycledattention.tests.Providers;

class LocalConformanceTest extends BaseAttentionPolicyTestCase {
  @Override protected AttentionPolicyProvider provider() { return Providers.policy("local"); }
}
