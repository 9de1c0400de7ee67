/**
 * Layered configuration: built-in defaults, a properties file, the environment and the command line
 * ({@link org.recycledattention.engine.config.ConfigLayers}), merged into a {@link
 * org.recycledattention.engine.config.Configuration} that remembers where each value came from, and
 * checked against every provider's declared keys and the {@link
 * org.recycledattention.engine.config.GlobalKeys} by {@link
 * org.recycledattention.engine.config.ConfigValidator} into a {@link
 * org.recycledattention.engine.config.ValidatedConfig}. Nothing here is static state: each runtime
 * validates its own layers.
 */
package org.recycledattention.engine.config;
