package org.recycledattention.backend.cpu;

import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.tests.BaseKvCacheBackendTestCase;
import org.recycledattention.tests.Providers;

class CpuConformanceTest extends BaseKvCacheBackendTestCase {
  @Override protected KvCacheBackendProvider provider() { return Providers.backend("cpu"); }
}
