package org.recycledattention.tests;

import org.recycledattention.api.cache.KvCacheBackendProvider;

/** Positive control: the kit's reference model behind the SPI passes the backend suite. */
class ModelBackendConformanceTest extends BaseKvCacheBackendTestCase {
  @Override
  protected KvCacheBackendProvider provider() {
    return ModelBackend.complete();
  }
}
