/**
 * The service-provider interface of Recycled Attention: what a third-party attention policy or
 * KV-cache backend compiles against. Depends on the JDK only; holds the contract and the support
 * bases that make it easy to honour, nothing that discovers, wires or runs providers (that is
 * {@code ra-engine}).
 *
 * <ul>
 *   <li>{@link org.recycledattention.api.policy} decides, per layer and step, which cached tokens
 *       attention reads ({@code AttentionPolicy}), as a {@link org.recycledattention.api.plan} value.
 *   <li>{@link org.recycledattention.api.cache} stores keys and values and computes attention
 *       ({@code KvCacheBackend}, {@code KvCache}).
 *   <li>{@link org.recycledattention.api.config} declares typed keys ({@code ConfigProperty}) and
 *       hands a provider its validated values ({@code ProviderConfig}).
 *   <li>{@link org.recycledattention.api.provider} is what every provider says about itself
 *       ({@code NamedProvider}, {@code Availability}).
 *   <li>{@code *.support} packages are optional bases that do the argument checks, closed state and
 *       statistics once.
 * </ul>
 */
package org.recycledattention.api;
