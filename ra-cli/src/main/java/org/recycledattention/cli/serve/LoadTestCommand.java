package org.recycledattention.cli.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.recycledattention.api.RaException;
import org.recycledattention.cli.common.ConfigOptions;
import org.recycledattention.cli.common.SelectionOptions;
import org.recycledattention.cli.common.Subcommand;
import org.recycledattention.cli.common.UsageException;
import org.recycledattention.engine.wiring.RaRuntime;
import org.recycledattention.inference.Engine;
import org.recycledattention.server.LoadTest;
import org.recycledattention.server.OpenAiServer;
import org.recycledattention.server.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import org.recycledattention.probe.ShippedProbe;

/**
 * {@code ra load-test}: requests per second and latency percentiles of {@code ra serve} at several
 * numbers of concurrent clients. Without {@code --url} it starts a server on the built-in probe in
 * this process, on a free loopback port. Every request is a text completion of the same prompt with
 * exactly {@code --max-tokens} tokens (greedy, end-of-sequence ignored), so every request is the
 * same work.
 */
@Command(
    name = "load-test",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Load-test an OpenAI-compatible server on this machine: requests/s and p50/p99 latency for 1,"
          + " 4 and 16 concurrent clients.",
      "Without --url it serves the built-in probe in-process on a free loopback port."
    })
public final class LoadTestCommand extends Subcommand {

  /** Requests of the unmeasured warm-up level. */
  static final int WARM_UP_REQUESTS = 300;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description =
          "A running server's base URL on this machine, e.g. http://127.0.0.1:8080 (default: start"
              + " one).")
  URI url;

  @Option(
      names = "--clients",
      paramLabel = "N",
      split = ",",
      defaultValue = "1,4,16",
      description = "Concurrent clients per level (default: ${DEFAULT-VALUE}).")
  List<Integer> clients;

  @Option(
      names = "--requests",
      paramLabel = "N",
      defaultValue = "200",
      description = "Requests per level at most (default: ${DEFAULT-VALUE}).")
  int requests;

  @Option(
      names = "--max-seconds",
      paramLabel = "S",
      defaultValue = "60",
      description = "Seconds per level at most (default: ${DEFAULT-VALUE}).")
  int maxSeconds;

  @Option(
      names = "--max-tokens",
      paramLabel = "N",
      defaultValue = "16",
      description = "Tokens generated per request (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(
      names = "--prompt",
      paramLabel = "TEXT",
      description =
          "The prompt of every request (default: a 200-token retrieval prompt for the probe).")
  String prompt;

  @Option(
      names = "--parallel",
      paramLabel = "N",
      description = "In-process server: sequences at once (default: the processors, at most 8).")
  Integer parallel;

  @Mixin SelectionOptions selection;

  @Mixin ConfigOptions config;

  public LoadTestCommand(Map<String, String> environment) {
    super(environment);
  }

  @Override
  protected int run() throws Exception {
    if (clients.isEmpty() || clients.stream().anyMatch(c -> c < 1 || c > 256)) {
      throw new UsageException(
          "invalid --clients " + clients + ": expected integers in [1, 256] such as 1,4,16");
    }
    if (requests < 1 || maxSeconds < 1 || maxTokens < 1) {
      throw new UsageException("--requests, --max-seconds and --max-tokens must be >= 1");
    }
    ObjectNode body = new ObjectMapper().createObjectNode();
    body.put("prompt", prompt != null ? prompt : ShippedProbe.NEEDLE_PROMPT)
        .put("max_tokens", maxTokens)
        .put("temperature", 0)
        .put("ignore_eos", true);
    if (url != null) {
      measure(url, body.toString(), "server " + url);
      return 0;
    }
    int n = parallel != null ? parallel : ServerOptions.defaultParallel();
    if (n < 1) {
      throw new UsageException(
          "invalid value '" + n + "' for --parallel: expected an integer >= 1");
    }
    int largest = clients.stream().mapToInt(Integer::intValue).max().orElse(1);
    try (RaRuntime runtime = config.runtime(environment, selection.settings());
        Engine engine = Engine.builder().runtime(runtime).sequencesInParallel(n).build();
        OpenAiServer server =
            start(
                engine,
                new ServerOptions(
                    "127.0.0.1",
                    0,
                    n,
                    Math.max(64, largest),
                    Duration.ofSeconds(5),
                    ServerOptions.DEFAULT_MAX_BODY_BYTES))) {
      measure(
          URI.create(server.url()),
          body.toString(),
          "in-process server on "
              + engine.modelName()
              + ", policy "
              + engine.policyName()
              + ", budget "
              + engine.budget()
              + ", "
              + n
              + " in parallel, "
              + engine.threadsPerSequence()
              + " kernel thread(s) each");
    }
    return 0;
  }

  private static OpenAiServer start(Engine engine, ServerOptions options) {
    try {
      return OpenAiServer.start(engine, options);
    } catch (IOException e) {
      throw new RaException(
          "cannot start the in-process server on 127.0.0.1: " + e.getMessage(), e);
    }
  }

  private void measure(URI base, String body, String what) throws InterruptedException {
    LoadTest load;
    try {
      load =
          new LoadTest(URI.create(base.toString().replaceAll("/+$", "") + "/v1/completions"), body);
    } catch (IllegalArgumentException e) {
      throw new UsageException("invalid --url '" + base + "': " + e.getMessage());
    }
    err().println("ra load-test: " + what + "; " + maxTokens + " tokens per request; warming up");
    err().flush();
    if (load.warmUp(5) == 0) {
      throw new RaException(
          "the server at "
              + base
              + " answered none of 5 warm-up requests with 200; is it an OpenAI-compatible"
              + " server?");
    }
    // The JIT compiles the forward pass over the first few hundred requests: a level measured
    // before
    // that runs slower than the same level after it. An unmeasured level of 4 clients runs it in
    // first.
    load.run(4, WARM_UP_REQUESTS, Duration.ofSeconds(maxSeconds));
    List<LoadTest.Level> levels = new ArrayList<>();
    for (int c : clients) {
      LoadTest.Level level = load.run(c, requests, Duration.ofSeconds(maxSeconds));
      levels.add(level);
      status.update(levels.size() + " of " + clients.size() + " load levels");
      err()
          .printf(
              "ra load-test: %d client(s): %d requests in %.1f s%n",
              c, level.requests(), level.seconds());
      err().flush();
    }
    out().print(LoadTest.table(levels));
  }
}
