/**
 * {@code ra serve}'s server: OpenAI's chat and text completion endpoints (plain and streamed),
 * model listing and health over one {@link org.recycledattention.inference.Engine}, with the
 * attention policy chosen per request through the {@code "ra"} extension object. Built on the JDK's
 * {@code com.sun.net.httpserver} (no HTTP parsing of its own) and Jackson; a bounded worker pool
 * and queue; graceful shutdown. {@link org.recycledattention.server.LoadTest} measures it.
 */
package org.recycledattention.server;
