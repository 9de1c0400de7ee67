/**
 * Test-only providers. None is registered on the test class path (which also holds the real
 * ra-policies and ra-backend-cpu): tests copy them into temporary jars with their own services file,
 * or pass instances to {@code ProviderRegistry.ofProviders}.
 */
package org.recycledattention.engine.wiring.testplugins;
