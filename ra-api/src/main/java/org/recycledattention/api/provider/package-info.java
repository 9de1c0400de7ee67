/**
 * Discovery of providers through {@link java.util.ServiceLoader}, with a message of its own for
 * every way it can go wrong: no provider at all, two providers with one name, a provider that throws
 * while loading, and an unknown name. Modelled on Lucene's {@code NamedSPILoader} and SLF4J 2's
 * provider binding.
 */
package org.recycledattention.api.registry;
