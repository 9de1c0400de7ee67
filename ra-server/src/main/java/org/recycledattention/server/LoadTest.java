package org.recycledattention.server;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A closed-loop load test of a server on this machine: for each level, {@code clients} threads send
 * the same request back to back until {@code requests} have been sent or the level's time is up,
 * and the level reports requests per second and the latency percentiles. Loopback only: the URL
 * must name 127.0.0.0/8, localhost or ::1. Bounded in count and time; it stops by itself.
 */
public final class LoadTest {
  /**
   * One level's measurements.
   *
   * @param clients concurrent clients
   * @param requests requests answered with 200
   * @param errors requests answered otherwise (or failed)
   * @param seconds wall time of the level
   * @param requestsPerSecond answered requests per second of wall time
   * @param p50Millis median latency
   * @param p99Millis 99th-percentile latency (nearest rank)
   */
  public record Level(
      int clients,
      int requests,
      int errors,
      double seconds,
      double requestsPerSecond,
      double p50Millis,
      double p99Millis) {}

  private final URI url;
  private final String body;
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /**
   * @param url the endpoint, e.g. {@code http://127.0.0.1:8080/v1/completions}
   * @param body the JSON request body sent every time
   * @throws IllegalArgumentException when {@code url} is not a loopback address
   */
  public LoadTest(URI url, String body) {
    this.url = requireNonNull(url, "url is null");
    this.body = requireNonNull(body, "body is null");
    String host = url.getHost();
    if (host == null
        || !(host.equals("localhost")
            || host.startsWith("127.")
            || host.equals("[::1]")
            || host.equals("::1"))) {
      throw new IllegalArgumentException(
          "the load test only targets this machine (127.0.0.1, localhost or ::1), not '"
              + host
              + "'");
    }
  }

  /**
   * Sends {@code count} requests one after another (warm-up); returns how many were answered with
   * 200.
   */
  public int warmUp(int count) {
    int ok = 0;
    for (int i = 0; i < count; i++) {
      if (send() >= 0) {
        ok++;
      }
    }
    return ok;
  }

  /**
   * Runs one level.
   *
   * @param clients concurrent clients, >= 1
   * @param requests the most requests to send in total
   * @param limit the most time to spend; clients stop sending when it is up
   */
  public Level run(int clients, int requests, Duration limit) throws InterruptedException {
    if (clients < 1 || requests < 1) {
      throw new IllegalArgumentException(
          "clients and requests must be >= 1, got " + clients + " and " + requests);
    }
    long[] latencies = new long[requests];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    long t0 = System.nanoTime();
    long deadline = t0 + limit.toNanos();
    CountDownLatch finished = new CountDownLatch(clients);
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      threads.add(
          Thread.ofPlatform()
              .daemon()
              .name("ra-load-" + c)
              .start(
                  () -> {
                    try {
                      while (System.nanoTime() < deadline) {
                        int i = next.getAndIncrement();
                        if (i >= requests) {
                          break;
                        }
                        long nanos = send();
                        if (nanos >= 0) {
                          latencies[done.getAndIncrement()] = nanos;
                        } else {
                          errors.incrementAndGet();
                        }
                      }
                    } finally {
                      finished.countDown();
                    }
                  }));
    }
    finished.await();
    double seconds = (System.nanoTime() - t0) / 1e9;
    int n = done.get();
    long[] sorted = Arrays.copyOf(latencies, n);
    Arrays.sort(sorted);
    return new Level(
        clients,
        n,
        errors.get(),
        seconds,
        n / seconds,
        percentile(sorted, 50),
        percentile(sorted, 99));
  }

  /** The nearest-rank percentile in milliseconds, NaN without samples. */
  static double percentile(long[] sorted, int p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)] / 1e6;
  }

  /** One request: its latency in nanoseconds, or -1 when it was not answered with 200. */
  private long send() {
    long t = System.nanoTime();
    try {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(url)
                  .timeout(Duration.ofSeconds(120))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? System.nanoTime() - t : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** A Markdown table of levels. */
  public static String table(List<Level> levels) {
    StringBuilder b =
        new StringBuilder(
            "| clients | requests | errors | requests/s | p50 ms | p99 ms |\n"
                + "| ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (Level l : levels) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %d | %d | %d | %.1f | %.1f | %.1f |%n",
              l.clients(),
              l.requests(),
              l.errors(),
              l.requestsPerSecond(),
              l.p50Millis(),
              l.p99Millis()));
    }
    return b.toString();
  }
}
