package org.recycledattention.cli.serve;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.recycledattention.api.RaException;
import org.recycledattention.cli.common.ConfigOptions;
import org.recycledattention.cli.common.Inputs;
import org.recycledattention.cli.common.SelectionOptions;
import org.recycledattention.cli.common.Subcommand;
import org.recycledattention.cli.common.ThreadsOption;
import org.recycledattention.cli.common.UsageException;
import org.recycledattention.engine.wiring.RaRuntime;
import org.recycledattention.inference.Engine;
import org.recycledattention.inference.chat.ChatTemplate;
import org.recycledattention.server.OpenAiServer;
import org.recycledattention.server.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code ra serve}: an OpenAI-compatible HTTP server ({@link OpenAiServer}) on one model, the
 * built-in probe by default. Runs until SIGTERM or Ctrl-C (SIGINT): then it stops accepting, lets
 * requests finish for {@code --shutdown-timeout} seconds, cancels the rest and exits 0.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Serve a model over HTTP with OpenAI's API (chat and text completions, streaming), choosing"
          + " the attention policy per request.",
      "Without --model it serves the built-in probe. SIGTERM or Ctrl-C stops it gracefully (exit"
          + " 0).",
      "The --threads kernel threads (ra.threads) are shared out among the --parallel sequences."
    })
public final class ServeCommand extends Subcommand {
  @Option(
      names = "--model",
      paramLabel = "FILE",
      description =
          "A GGUF file, a llama2.c .bin or a safetensors directory (default: the built-in probe).")
  Path model;

  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      defaultValue = ServerOptions.DEFAULT_HOST,
      description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
  String host;

  @Option(
      names = "--port",
      paramLabel = "N",
      defaultValue = "8080",
      description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--parallel",
      paramLabel = "N",
      description = "Sequences generated at once (default: the processors, at most 8).")
  Integer parallel;

  @Option(
      names = "--queue",
      paramLabel = "N",
      defaultValue = "64",
      description =
          "Requests that may wait beyond those; more get 503 (default: ${DEFAULT-VALUE}).")
  int queue;

  @Option(
      names = "--shutdown-timeout",
      paramLabel = "SECONDS",
      defaultValue = "10",
      description =
          "On SIGTERM, how long running and queued requests may finish before they are cancelled"
              + " (default: ${DEFAULT-VALUE}).")
  int shutdownSeconds;

  @Option(
      names = "--chat-template",
      paramLabel = "FILE",
      description =
          "A Jinja chat template to use instead of the model's (tokenizer.chat_template).")
  Path chatTemplate;

  @Mixin SelectionOptions selection;

  /** Kernel threads in all: each of the parallel sequences gets an equal share. */
  @Mixin ThreadsOption threads;

  @Mixin ConfigOptions config;

  public ServeCommand(Map<String, String> environment) {
    super(environment);
  }

  @Override
  protected int run() throws Exception {
    if (port < 0 || port > 65535) {
      throw new UsageException(
          "invalid value '"
              + port
              + "' for --port: expected a port in [0, 65535] (0 picks a free one)");
    }
    int n = parallel != null ? parallel : ServerOptions.defaultParallel();
    if (n < 1) {
      throw new UsageException(
          "invalid value '" + n + "' for --parallel: expected an integer >= 1");
    }
    if (queue < 0) {
      throw new UsageException(
          "invalid value '" + queue + "' for --queue: expected an integer >= 0");
    }
    if (shutdownSeconds < 0) {
      throw new UsageException(
          "invalid value '" + shutdownSeconds + "' for --shutdown-timeout: expected seconds >= 0");
    }
    if (model != null) {
      Inputs.checkModelPath(model);
    }
    ChatTemplate template = chatTemplate == null ? null : ChatTemplates.read(chatTemplate);
    ServerOptions options =
        new ServerOptions(
            host,
            port,
            n,
            queue,
            Duration.ofSeconds(shutdownSeconds),
            ServerOptions.DEFAULT_MAX_BODY_BYTES);
    // the runtime every command builds (configuration, providers, backend); the engine runs on it
    try (RaRuntime runtime =
        config.runtime(environment, selection.settings(), threads.settings())) {
      Engine.Builder builder = Engine.builder().runtime(runtime).sequencesInParallel(n);
      if (model != null) {
        builder.model(model);
      }
      if (template != null) {
        builder.chatTemplate(template);
      }
      try (Engine engine = builder.build()) {
        OpenAiServer server;
        try {
          server = OpenAiServer.start(engine, options);
        } catch (IOException e) {
          throw new RaException(
              "cannot listen on "
                  + host
                  + ":"
                  + port
                  + ": "
                  + e.getMessage()
                  + "; pick another address or port (--host, --port)",
              e);
        }
        try (server) {
          err()
              .println(
                  "ra serve: model "
                      + engine.modelName()
                      + " ("
                      + engine.model().description()
                      + "); policy "
                      + engine.policyName()
                      + ", budget "
                      + engine.budget()
                      + ", backend "
                      + engine.runtime().config().backendName()
                      + "; chat template: "
                      + (template != null
                          ? chatTemplate.toString()
                          : engine.chatTemplate().isFallback()
                              ? "none in the model, plain transcript"
                              : "the model's"));
          err()
              .println(
                  "ra serve: listening on "
                      + server.url()
                      + " ("
                      + n
                      + " in parallel, "
                      + engine.threadsPerSequence()
                      + " kernel thread(s) each, queue "
                      + queue
                      + "); SIGTERM or Ctrl-C stops");
          err().flush();
          status.update("serving on " + server.url());
          awaitStopSignal();
          err()
              .println(
                  "ra serve: stopping; running requests have " + shutdownSeconds + " s to finish");
          err().flush();
          server.shutdown();
          OpenAiServer.Stats s = server.stats();
          err()
              .println(
                  "ra serve: stopped after "
                      + s.completed()
                      + " completed and "
                      + s.cancelled()
                      + " cancelled request(s)");
        }
      }
    }
    return 0;
  }

  /** Blocks until SIGTERM or SIGINT; the JVM's own handlers are back afterwards. */
  private static void awaitStopSignal() throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    SignalHandler handler = signal -> stop.countDown();
    List<Signal> signals = List.of(new Signal("TERM"), new Signal("INT"));
    List<SignalHandler> previous = new ArrayList<>();
    for (Signal s : signals) {
      previous.add(Signal.handle(s, handler));
    }
    try {
      stop.await();
    } finally {
      for (int i = 0; i < signals.size(); i++) {
        Signal.handle(signals.get(i), previous.get(i));
      }
    }
  }
}
