/**
 * What every KV-cache backend shares besides its data movement, for backends to extend: {@link
 * org.recycledattention.api.cache.support.AbstractKvCache} (the contract's argument checks, the closed
 * state, capabilities and statistics of a cache) and {@link
 * org.recycledattention.api.cache.support.AbstractWorkingSet} (the checks and resident-entry bookkeeping of
 * each working-set operation). A backend implements storing, attending, gathering and freeing; bad calls
 * then fail alike, with the same exception types and messages, on every backend, and the statistics mean
 * the same everywhere. Optional: a backend may implement the interfaces directly.
 */
package org.recycledattention.api.cache.support;
