/**
 * {@code trace}: full attention that writes where each layer's attention goes, for finding out why a
 * KV-cache policy loses accuracy on a model. An example of an analysis plugin built on the SPI alone.
 */
package org.recycledattention.examples.trace;
