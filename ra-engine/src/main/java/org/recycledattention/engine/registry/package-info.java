/**
 * Discovery of providers through {@link java.util.ServiceLoader}, with a message of its own for every
 * way it can go wrong: no provider at all, two providers with one name, a provider that throws while
 * loading ({@link org.recycledattention.engine.registry.LoadFailure}), and an unknown name. Modelled on
 * Lucene's {@code NamedSPILoader} and SLF4J 2's provider binding. A {@link
 * org.recycledattention.engine.registry.ProviderRegistry} belongs to whoever created it (a runtime):
 * there is no static cache, so a dropped plugin class loader can be collected. {@link
 * org.recycledattention.engine.registry.Plugins} opens the class loader of a plugin path.
 */
package org.recycledattention.engine.registry;
