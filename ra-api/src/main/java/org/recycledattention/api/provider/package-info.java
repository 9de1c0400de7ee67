/**
 * What every provider found by {@link java.util.ServiceLoader} has in common: a name, a description,
 * its keys ({@link org.recycledattention.api.provider.NamedProvider}), whether it can run here
 * ({@link org.recycledattention.api.provider.Availability}) and the exception for a provider that
 * cannot be found or started ({@link org.recycledattention.api.provider.ProviderException}). {@link
 * org.recycledattention.api.provider.AbstractProvider} states name, description and keys once, as a
 * {@link org.recycledattention.api.provider.ProviderInfo}. Discovery itself is the engine's
 * ({@code org.recycledattention.engine.registry}).
 */
package org.recycledattention.api.provider;
