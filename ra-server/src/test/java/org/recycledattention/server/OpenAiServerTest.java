package org.recycledattention.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.recycledattention.inference.CompletionRequest;
import org.recycledattention.inference.Engine;
import org.recycledattention.probe.ShippedProbe;

/**
 * The server over plain HTTP (the JDK's client): shapes, streaming, errors, the queue and
 * disconnects.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenAiServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Engine engine;
  private static OpenAiServer server;
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    engine = Probe.engine();
    server =
        Probe.server(engine, 2, 4);
  }

  @AfterAll
  static void stop() {
    server.close();
    engine.close();
  }

  record Answer(int status, JsonNode body, String raw) {}

  static Answer post(OpenAiServer s, String path, String body) throws Exception {
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create(s.url() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), parse(r.body()), r.body());
  }

  static Answer get(OpenAiServer s, String path) throws Exception {
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create(s.url() + path))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), parse(r.body()), r.body());
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (Exception e) {
      return null;
    }
  }

  static ObjectNode chat(String content) {
    ObjectNode o = JSON.createObjectNode();
    o.put("model", "anything");
    o.putArray("messages").addObject().put("role", "user").put("content", content);
    o.put("temperature", 0);
    return o;
  }

  /** The data payloads of a server-sent event stream, in order. */
  static List<String> events(String raw) {
    List<String> out = new ArrayList<>();
    for (String block : raw.split("\n\n")) {
      if (!block.isBlank()) {
        assertThat(block).startsWith("data: ");
        out.add(block.substring("data: ".length()));
      }
    }
    return out;
  }

  @Test
  void healthAndModels() throws Exception {
    Answer h = get(server, "/health");
    assertThat(h.status()).isEqualTo(200);
    assertThat(h.body().get("status").asText()).isEqualTo("ok");
    assertThat(h.body().get("policy").asText()).isEqualTo("full");
    Answer m = get(server, "/v1/models");
    assertThat(m.status()).isEqualTo(200);
    assertThat(m.body().get("object").asText()).isEqualTo("list");
    assertThat(m.body().get("data").get(0).get("id").asText()).isEqualTo("probe");
    assertThat(m.body().get("data").get(0).get("object").asText()).isEqualTo("model");
    Answer one = get(server, "/v1/models/probe");
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.body().get("id").asText()).isEqualTo("probe");
    assertError(get(server, "/v1/models/gpt-4"), 404, "model", "model 'gpt-4' is not served here");
  }

  @Test
  void aChatCompletionAnswersWithOpenAisShapeAndTrueUsageCounts() throws Exception {
    ObjectNode req = chat(ShippedProbe.NEEDLE_PROMPT);
    req.put("max_tokens", 12);
    req.put("user", "ignored").put("metadata_we_do_not_know", 1).put("presence_penalty", 0);
    Answer a = post(server, "/v1/chat/completions", req.toString());
    assertThat(a.status()).as(a.raw()).isEqualTo(200);
    JsonNode b = a.body();
    assertThat(b.get("object").asText()).isEqualTo("chat.completion");
    assertThat(b.get("id").asText()).startsWith("chatcmpl-");
    assertThat(b.get("model").asText()).isEqualTo("probe");
    JsonNode choice = b.get("choices").get(0);
    assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
    String content = choice.get("message").get("content").asText();
    assertThat(content).startsWith(ShippedProbe.NEEDLE_ANSWER);
    int prompt = engine.prepare(CompletionRequest.text(ShippedProbe.NEEDLE_PROMPT)).promptTokens();
    assertThat(b.get("usage").get("prompt_tokens").asInt()).isEqualTo(prompt);
    int completion = b.get("usage").get("completion_tokens").asInt();
    assertThat(completion).isBetween(1, 12);
    assertThat(b.get("usage").get("total_tokens").asInt()).isEqualTo(prompt + completion);
    assertThat(choice.get("finish_reason").asText())
        .isEqualTo(completion == 12 ? "length" : "stop");
    assertThat(b.get("ra").get("policy").asText()).isEqualTo("full");
  }

  @Test
  void aStreamAssemblesToTheSameTextAsTheWholeAnswer() throws Exception {
    for (String path : List.of("/v1/chat/completions", "/v1/completions")) {
      boolean isChat = path.contains("chat");
      ObjectNode req =
          isChat
              ? chat(ShippedProbe.NEEDLE_PROMPT)
              : JSON.createObjectNode().put("prompt", ShippedProbe.NEEDLE_PROMPT).put("temperature", 0);
      req.put("max_tokens", 12);
      Answer whole = post(server, path, req.toString());
      req.put("stream", true);
      req.putObject("stream_options").put("include_usage", true);
      Answer streamed = post(server, path, req.toString());
      assertThat(streamed.status()).isEqualTo(200);
      List<String> events = events(streamed.raw());
      assertThat(events.getLast()).isEqualTo("[DONE]");
      StringBuilder text = new StringBuilder();
      String finish = null;
      JsonNode usage = null;
      for (String e : events.subList(0, events.size() - 1)) {
        JsonNode chunk = JSON.readTree(e);
        assertThat(chunk.get("object").asText())
            .isEqualTo(isChat ? "chat.completion.chunk" : "text_completion");
        if (chunk.has("usage") && chunk.get("choices").isEmpty()) {
          usage = chunk.get("usage");
          continue;
        }
        JsonNode c = chunk.get("choices").get(0);
        JsonNode piece = isChat ? c.get("delta").get("content") : c.get("text");
        if (piece != null) {
          text.append(piece.asText());
        }
        if (!c.get("finish_reason").isNull()) {
          finish = c.get("finish_reason").asText();
        }
      }
      JsonNode w = whole.body();
      String expected =
          isChat
              ? w.get("choices").get(0).get("message").get("content").asText()
              : w.get("choices").get(0).get("text").asText();
      assertThat(text.toString()).isEqualTo(expected).startsWith(ShippedProbe.NEEDLE_ANSWER);
      assertThat(finish).isEqualTo(w.get("choices").get(0).get("finish_reason").asText());
      assertThat(usage).isEqualTo(w.get("usage"));
    }
  }

  @Test
  void stopStringsEndTheAnswerBeforeThem() throws Exception {
    ObjectNode req =
        JSON.createObjectNode()
            .put("prompt", ShippedProbe.NEEDLE_PROMPT)
            .put("temperature", 0)
            .put("max_tokens", 12);
    req.putArray("stop").add("58").add("nothing");
    Answer a = post(server, "/v1/completions", req.toString());
    assertThat(a.body().get("choices").get(0).get("text").asText()).isEqualTo(" 3690");
    assertThat(a.body().get("choices").get(0).get("finish_reason").asText()).isEqualTo("stop");
  }

  @Test
  void theRaObjectPicksThePolicyPerRequest() throws Exception {
    ObjectNode req = chat(ShippedProbe.NEEDLE_PROMPT);
    req.put("max_tokens", 6).put("ignore_eos", true);
    ObjectNode ra = req.putObject("ra");
    ra.put("policy", "recycled").put("budget", 16);
    ra.putObject("set").put("ra.policy.recycled.stride", 3);
    Answer a = post(server, "/v1/chat/completions", req.toString());
    assertThat(a.status()).as(a.raw()).isEqualTo(200);
    assertThat(a.body().get("ra").get("policy").asText()).isEqualTo("recycled");
    assertThat(a.body().get("ra").get("budget").asInt()).isEqualTo(16);
    assertThat(a.body().get("ra").get("partial_steps").asLong()).isPositive();
    Answer plain =
        post(
            server,
            "/v1/chat/completions",
            chat(ShippedProbe.NEEDLE_PROMPT).put("max_tokens", 6).put("ignore_eos", true).toString());
    assertThat(plain.body().get("ra").get("partial_steps").asLong()).isZero();
  }

  @Test
  void badRequestsAre400sNamingTheField() throws Exception {
    assertError(
        post(server, "/v1/chat/completions", "{\"messages\": [}"), 400, null, "not valid JSON");
    assertError(post(server, "/v1/chat/completions", "[1, 2]"), 400, null, "must be a JSON object");
    assertError(
        post(server, "/v1/chat/completions", "{}"), 400, "messages", "'messages' is required");
    assertBadChat(chat("x").put("temperature", "hot"), "temperature", "must be a number");
    assertBadChat(chat("x").put("top_p", 2), "top_p", "in [0, 1]");
    assertBadChat(chat("x").put("max_tokens", 0), "max_tokens", ">= 1");
    assertBadChat(chat("x").put("n", 2), "n", "not supported");
    ObjectNode tools = chat("x");
    tools.putArray("tools").addObject().put("type", "function");
    assertBadChat(tools, "tools", "not supported");
    ObjectNode unknownRa = chat("x");
    unknownRa.putObject("ra").put("polcy", "full");
    assertBadChat(unknownRa, "ra.polcy", "unknown key 'polcy' in 'ra'");
    ObjectNode policy = chat("x");
    policy.putObject("ra").put("policy", "nope");
    assertBadChat(policy, "ra.policy", "unknown attention policy 'nope'; available: full");
    ObjectNode key = chat("x");
    key.putObject("ra").putObject("set").put("ra.policy.recycled.strid", 3);
    assertBadChat(key, "ra.set", "unknown configuration key 'ra.policy.recycled.strid'");
    ObjectNode budget = chat("x");
    budget.putObject("ra").put("budget", "big");
    assertBadChat(budget, "ra.budget", "must be an integer");
    assertBadChat(chat("The grass is green. ".repeat(1200)), "messages", "context is 4096");
    assertError(
        post(
            server,
            "/v1/completions",
            JSON.createObjectNode().put("prompt", "x").put("max_tokens", 5000).toString()),
        400,
        "max_tokens",
        "beyond the model's context");
    assertError(
        post(server, "/v1/completions", "{\"prompt\": 5}"), 400, "prompt", "must be a string");
    assertError(post(server, "/v1/embeddings", "{}"), 404, null, "no endpoint POST /v1/embeddings");
    assertError(get(server, "/v1/chat/completions"), 405, null, "takes POST");
  }

  /** A chat completion request the server answers 400 about {@code param} with {@code message}. */
  private static void assertBadChat(ObjectNode request, String param, String message) throws Exception {
    assertError(post(server, "/v1/chat/completions", request.toString()), 400, param, message);
  }

  private static void assertError(Answer a, int status, String param, String message) {
    assertThat(a.status()).as(a.raw()).isEqualTo(status);
    JsonNode e = a.body().get("error");
    assertThat(e.get("message").asText()).contains(message).doesNotContain("\n");
    assertThat(e.get("type").asText()).isNotEmpty();
    if (param == null) {
      assertThat(e.get("param").isNull()).as(a.raw()).isTrue();
    } else {
      assertThat(e.get("param").asText()).isEqualTo(param);
    }
  }

  /** A long generation (the probe would stop at its EOS; ignore_eos keeps it going). */
  private static String longStream() {
    ObjectNode req = chat(ShippedProbe.NEEDLE_PROMPT);
    req.put("max_tokens", 3500).put("ignore_eos", true).put("stream", true);
    return req.toString();
  }

  /** Starts a streaming request on a raw socket and reads until the first content chunk. */
  /** A server with one slot and no queue, its slot taken by a streaming request ({@code stream}). */
  private record OneSlotTaken(Engine engine, OpenAiServer server, Socket stream) implements AutoCloseable {
    static OneSlotTaken start() throws Exception {
      Engine e = Probe.engine();
      OpenAiServer s = Probe.server(e, 1, 0);
      try {
        return new OneSlotTaken(e, s, startStreaming(s));
      } catch (Exception | AssertionError failed) {
        s.close();
        e.close();
        throw failed;
      }
    }

    @Override
    public void close() throws Exception {
      try (Engine e = engine; OpenAiServer s = server; Socket socket = stream) {
        // closed in reverse: the stream, the server, then the engine
      }
    }
  }

  private static Socket startStreaming(OpenAiServer s) throws Exception {
    Socket socket = new Socket("127.0.0.1", s.port());
    socket.setSoTimeout(20_000);
    byte[] body = longStream().getBytes(StandardCharsets.UTF_8);
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST /v1/chat/completions HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    int contentChunks = 0;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.startsWith("data: ")
          && line.contains("\"content\"")
          && !line.contains("\"role\"")
          && ++contentChunks == 3) {
        return socket;
      }
    }
    throw new AssertionError("the stream ended before three content chunks");
  }

  @Test
  void aClientThatDisconnectsMidStreamCancelsItsGeneration() throws Exception {
    try (OneSlotTaken busy = OneSlotTaken.start()) {
      OpenAiServer s = busy.server();
      assertThat(s.stats().running()).isEqualTo(1);
      busy.stream().close();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while ((s.stats().running() > 0 || s.stats().cancelled() == 0)
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(s.stats().cancelled()).isEqualTo(1);
      assertThat(s.stats().completed()).isZero();
      assertThat(s.stats().running()).isZero();
      // the slot is free again: a new request runs
      assertThat(
              post(
                      s,
                      "/v1/completions",
                      JSON.createObjectNode()
                          .put("prompt", ShippedProbe.NEEDLE_PROMPT)
                          .put("max_tokens", 4)
                          .toString())
                  .status())
          .isEqualTo(200);
    }
  }

  @Test
  void aFullQueueAnswers503() throws Exception {
    try (OneSlotTaken busy = OneSlotTaken.start()) {
      Answer a =
          post(
              busy.server(),
              "/v1/completions",
              JSON.createObjectNode().put("prompt", "x").put("max_tokens", 2).toString());
      assertError(a, 503, null, "the server is busy");
      assertThat(busy.server().stats().rejected()).isEqualTo(1);
    }
  }

  @Test
  void shutdownFinishesRunningRequestsAndRefusesNewOnes() throws Exception {
    Engine e = Probe.engine();
    OpenAiServer s =
        OpenAiServer.start(
            e,
            ServerOptions.defaults()
                .withPort(0)
                .withParallel(1)
                .withQueue(2)
                .withShutdownGrace(Duration.ofSeconds(30)));
    try {
      String body =
          JSON.createObjectNode()
              .put("prompt", ShippedProbe.NEEDLE_PROMPT)
              .put("max_tokens", 300)
              .put("ignore_eos", true)
              .toString();
      CompletableFuture<Answer> running =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return post(s, "/v1/completions", body);
                } catch (Exception ex) {
                  throw new IllegalStateException(ex);
                }
              });
      while (s.stats().running() == 0) {
        Thread.sleep(5);
      }
      CompletableFuture.runAsync(s::shutdown);
      Answer a = running.get(30, TimeUnit.SECONDS);
      assertThat(a.status()).as(a.raw()).isEqualTo(200);
      assertThat(a.body().get("usage").get("completion_tokens").asInt()).isEqualTo(300);
      Thread.sleep(100);
      assertThat(
              CompletableFuture.supplyAsync(
                      () -> {
                        try {
                          return get(s, "/health").status();
                        } catch (Exception ex) {
                          return -1; // the listener is closed: refused
                        }
                      })
                  .get(10, TimeUnit.SECONDS))
          .isIn(-1, 503);
    } finally {
      s.close();
      e.close();
    }
  }

  @Test
  void shutdownCancelsWhatOutlivesTheGracePeriod() throws Exception {
    try (Engine e = Probe.engine();
        OpenAiServer s =
            OpenAiServer.start(
                e,
                ServerOptions.defaults()
                    .withPort(0)
                    .withParallel(1)
                    .withQueue(0)
                    .withShutdownGrace(Duration.ZERO))) {
      Socket socket = startStreaming(s);
      long t0 = System.nanoTime();
      s.shutdown();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(8_000);
      assertThat(s.stats().cancelled()).isEqualTo(1);
      StringBuilder rest = new StringBuilder();
      try (InputStream in = socket.getInputStream()) {
        rest.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException closed) {
        // closed by the server is fine too
      }
      socket.close();
      if (!rest.isEmpty()) {
        assertThat(rest.toString()).contains("shutting down");
      }
    }
  }
}
