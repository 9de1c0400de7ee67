package org.recycledattention.server;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How {@link OpenAiServer} listens and schedules.
 *
 * @param host the address to bind (127.0.0.1: this machine only)
 * @param port the TCP port; 0 picks a free one
 * @param parallel sequences generated at once, >= 1
 * @param queue requests waiting beyond those, >= 0; more get 503
 * @param shutdownGrace how long a shutdown lets running and queued requests finish before it
 *     cancels them
 * @param maxBodyBytes the largest request body accepted
 */
public record ServerOptions(
    String host, int port, int parallel, int queue, Duration shutdownGrace, int maxBodyBytes) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_MAX_BODY_BYTES = 8 << 20;

  public ServerOptions {
    requireNonNull(host, "host is null");
    requireNonNull(shutdownGrace, "shutdownGrace is null");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
    }
    if (parallel < 1) {
      throw new IllegalArgumentException("parallel must be >= 1, got " + parallel);
    }
    if (queue < 0) {
      throw new IllegalArgumentException("queue must be >= 0, got " + queue);
    }
    if (shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("shutdownGrace must be >= 0, got " + shutdownGrace);
    }
    if (maxBodyBytes < 1024) {
      throw new IllegalArgumentException("maxBodyBytes must be >= 1024, got " + maxBodyBytes);
    }
  }

  /**
   * 127.0.0.1:8080; as many parallel sequences as processors (at most 8), a queue of 64, 10 s to
   * finish on shutdown.
   */
  public static ServerOptions defaults() {
    return new ServerOptions(
        DEFAULT_HOST,
        DEFAULT_PORT,
        defaultParallel(),
        64,
        Duration.ofSeconds(10),
        DEFAULT_MAX_BODY_BYTES);
  }

  /** The available processors, at most 8. */
  public static int defaultParallel() {
    return Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
  }

  public ServerOptions withPort(int p) {
    return new ServerOptions(host, p, parallel, queue, shutdownGrace, maxBodyBytes);
  }

  public ServerOptions withHost(String h) {
    return new ServerOptions(h, port, parallel, queue, shutdownGrace, maxBodyBytes);
  }

  public ServerOptions withParallel(int n) {
    return new ServerOptions(host, port, n, queue, shutdownGrace, maxBodyBytes);
  }

  public ServerOptions withQueue(int n) {
    return new ServerOptions(host, port, parallel, n, shutdownGrace, maxBodyBytes);
  }

  public ServerOptions withShutdownGrace(Duration d) {
    return new ServerOptions(host, port, parallel, queue, d, maxBodyBytes);
  }
}
