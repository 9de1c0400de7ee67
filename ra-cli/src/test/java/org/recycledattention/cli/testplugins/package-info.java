/**
 * Providers the CLI tests load through {@code --plugin-path}: tests write a jar holding only a
 * services file, the classes come from the test class path.
 */
package org.recycledattention.cli.testplugins;
