package org.recycledattention.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.cli.Cli.Result;
import org.recycledattention.engine.wiring.Models;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.probe.ShippedProbe;

/**
 * {@code ra serve} and {@code ra load-test}: flags, a real process stopped by SIGTERM, and a small
 * in-process load test.
 */
class ServeCommandTest {

  @TempDir Path tmp;

  @Test
  void badFlagsAreOneLineUsageErrors() {
    Result port = Cli.run("serve", "--port", "70000");
    assertThat(port.exitCode()).isEqualTo(2);
    assertThat(port.errLines())
        .containsExactly(
            "invalid value '70000' for --port: expected a port in [0, 65535] (0 picks a free one)");
    Result model = Cli.run("serve", "--model", tmp.resolve("missing.gguf").toString());
    assertThat(model.exitCode()).isEqualTo(2);
    assertThat(model.errLines()).singleElement().asString().startsWith("model file '");
    Result policy = Cli.run("serve", "--port", "0", "--policy", "nope");
    assertThat(policy.exitCode()).isEqualTo(2);
    assertThat(policy.errLines())
        .singleElement()
        .asString()
        .startsWith("unknown attention policy 'nope'");
    Result template = Cli.run("serve", "--chat-template", tmp.resolve("none.jinja").toString());
    assertThat(template.exitCode()).isEqualTo(2);
    assertThat(template.errLines()).singleElement().asString().contains("--chat-template");
  }

  private static Process startServe(String... args) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "--add-modules",
                "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "org.recycledattention.cli.Main",
                "serve"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void sigtermFinishesWhatItCanCancelsTheRestAndExitsZero() throws Exception {
    Process p =
        startServe("--port", "0", "--policy", "full", "--parallel", "2", "--shutdown-timeout", "1");
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  lines.add(line);
                }
              } catch (IOException ignored) {
                // the process ended
              }
            });
    String url = null;
    List<String> seen = new ArrayList<>();
    while (url == null) {
      String line = lines.poll(60, TimeUnit.SECONDS);
      assertThat(line).as("stderr so far: %s", seen).isNotNull();
      seen.add(line);
      Matcher m = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)").matcher(line);
      if (m.find()) {
        url = m.group(1);
      }
    }
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<String> health =
        client.send(
            HttpRequest.newBuilder(URI.create(url + "/health")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    String body = "{\"prompt\": " + quote(ShippedProbe.NEEDLE_PROMPT) + ", \"max_tokens\": 12, \"temperature\": 0}";
    HttpResponse<String> answer =
        client.send(
            HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).contains("\"text\":\" 3690583");
    // a long stream in flight when SIGTERM arrives: cancelled after the 1 s grace period
    String longBody =
        "{\"prompt\": "
            + quote(ShippedProbe.NEEDLE_PROMPT)
            + ", \"max_tokens\": 3800, \"ignore_eos\": true, \"temperature\": 0, \"stream\": true}";
    CompletableFuture<HttpResponse<String>> inFlight =
        client.sendAsync(
            HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(longBody))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Thread.sleep(300);
    long t0 = System.nanoTime();
    p.toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its stderr)
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(15);
    HttpResponse<String> cut = inFlight.get(10, TimeUnit.SECONDS);
    assertThat(cut.body()).endsWith("data: [DONE]\n\n").contains("shutting down");
    List<String> rest = new ArrayList<>();
    for (String line = lines.poll(5, TimeUnit.SECONDS);
        line != null;
        line = lines.poll(500, TimeUnit.MILLISECONDS)) {
      rest.add(line);
    }
    assertThat(rest)
        .as("stderr after SIGTERM; before: %s", seen)
        .anySatisfy(l -> assertThat(l).startsWith("ra serve: stopping"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .isEqualTo("ra serve: stopped after 1 completed and 1 cancelled request(s)"));
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }

  @Test
  void aSmallInProcessLoadTestPrintsOneRowPerLevel() {
    Result r =
        Cli.run(
            "load-test",
            "--clients",
            "1,2",
            "--requests",
            "4",
            "--max-tokens",
            "2",
            "--parallel",
            "2",
            "--policy",
            "full",
            "--set",
            "ra.threads=2");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .startsWith("| clients | requests | errors | requests/s | p50 ms | p99 ms |");
    assertThat(r.out().lines().filter(l -> l.matches("\\| [12] \\| 4 \\| 0 \\| .*"))).hasSize(2);
    assertThat(Cli.run("load-test", "--url", "http://10.1.2.3:8080").errLines())
        .singleElement()
        .asString()
        .contains("only targets this machine");
  }

  @Test
  void generateChatFormatsThePromptWithTheTemplateAndStopsAtStopStrings() throws Exception {
    Path probe = tmp.resolve("probe.gguf");
    assertThat(ShippedProbe.copyTo(probe)).isTrue();
    Path template =
        Files.writeString(
            tmp.resolve("t.jinja"), "{% for m in messages %}{{ m['content'] }}{% endfor %}");
    Result plain =
        generateNeedle(probe, "--json");
    Result chat =
        generateNeedle(probe, "--chat", "--chat-template", template.toString(), "--json");
    assertThat(chat.exitCode()).as(chat.err()).isZero();
    ObjectMapper json = new ObjectMapper();
    assertThat(json.readTree(chat.out()).get("tokens"))
        .isEqualTo(json.readTree(plain.out()).get("tokens"));
    assertThat(json.readTree(chat.out()).get("text").asText()).startsWith(ShippedProbe.NEEDLE_ANSWER);
    Result stopped =
        generateNeedle(probe, "--stop", "58");
    assertThat(stopped.exitCode()).as(stopped.err()).isZero();
    assertThat(stopped.out()).isEqualTo(" 3690" + System.lineSeparator());
    assertThat(stopped.errLines()).singleElement().asString().contains("(stopped at --stop)");
    Result fallback =
        Cli.run(
            "generate",
            "--model",
            probe.toString(),
            "--prompt",
            "hello",
            "--chat",
            "--system",
            "Be brief.",
            "--max-tokens",
            "1",
            "--policy",
            "full",
            "--json");
    assertThat(fallback.exitCode()).as(fallback.err()).isZero();
    List<Integer> expected = new ArrayList<>();
    try (LanguageModel lm = Models.load(probe)) {
      for (int id :
          lm.tokenizer().orElseThrow().encode("system: Be brief.\nuser: hello\nassistant:", true)) {
        expected.add(id);
      }
    }
    List<Integer> ids = new ArrayList<>();
    json.readTree(fallback.out()).get("prompt_ids").forEach(n -> ids.add(n.asInt()));
    assertThat(ids).isEqualTo(expected);
    Result misuse = Cli.run("generate", "--model", probe.toString(), "--prompt-ids", "1", "--chat");
    assertThat(misuse.exitCode()).isEqualTo(2);
    assertThat(misuse.errLines())
        .containsExactly(
            "--chat formats a text prompt; pass --prompt or --prompt-file instead of --prompt-ids");
  }

  /** {@code ra generate} of the needle prompt on {@code probe}: 8 tokens, full attention, then {@code more}. */
  private static Result generateNeedle(Path probe, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of("generate", "--model", probe.toString(), "--prompt",
        ShippedProbe.NEEDLE_PROMPT, "--max-tokens", "8", "--policy", "full"));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }
}
