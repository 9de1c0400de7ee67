/** {@code ra policies}, {@code ra backends} and {@code ra config}: what is installed and configured, as a table or JSON. */
package org.recycledattention.cli.inspect;
