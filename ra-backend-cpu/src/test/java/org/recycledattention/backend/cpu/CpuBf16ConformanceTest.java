package org.recycledattention.backend.cpu;

import java.util.Map;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.tests.BaseKvCacheBackendTestCase;
import org.recycledattention.tests.Providers;

class CpuBf16ConformanceTest extends BaseKvCacheBackendTestCase {
  @Override protected KvCacheBackendProvider provider() { return Providers.backend("cpu"); }
  @Override protected Map<String, String> config() { return Map.of("dtype", "bf16"); }
}
