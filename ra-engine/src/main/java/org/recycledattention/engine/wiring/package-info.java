/**
 * The composition root: provider discovery (class path and plugin jars), layered configuration and
 * the Guice module that binds one map entry per provider and provides the selected policy factory
 * and backend. Plugin jars depend on ra-api only and need no Guice.
 */
package org.recycledattention.engine.wiring;
