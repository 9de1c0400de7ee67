/**
 * The composition root, the one every command and embedding uses: {@link
 * org.recycledattention.engine.wiring.RaRuntime} opens the plugin path, discovers the providers,
 * validates the configuration layers and, through a Guice module ({@link
 * org.recycledattention.engine.wiring.RaModule}), hands out the selected policy factory and backend,
 * any other policy or backend by name, and the checks that a selection can run. {@link
 * org.recycledattention.engine.wiring.Models} registers the model formats. Plugin jars depend on
 * ra-api only and need no Guice.
 */
package org.recycledattention.engine.wiring;
