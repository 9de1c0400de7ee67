/**
 * The service-provider interface of Recycled Attention: what a third-party attention policy or
 * KV-cache backend compiles against. Depends on the JDK only.
 *
 * <ul>
 *   <li>{@link org.recycledattention.api.policy} decides, per layer and step, which cached tokens
 *       attention reads ({@code AttentionPolicy}).
 *   <li>{@link org.recycledattention.api.cache} stores keys and values and computes attention
 *       ({@code KvCacheBackend}, {@code KvCache}).
 *   <li>{@link org.recycledattention.api.config} declares, layers and validates configuration.
 *   <li>{@link org.recycledattention.api.registry} discovers providers with {@link java.util.ServiceLoader}.
 * </ul>
 */
package org.recycledattention.api;
