package org.recycledattention.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.recycledattention.engine.decode.Cancellation;
import org.recycledattention.engine.decode.FinishReason;
import org.recycledattention.engine.decode.GenerationStats;
import org.recycledattention.inference.Completion;
import org.recycledattention.inference.Engine;
import org.recycledattention.inference.PreparedCompletion;
import org.recycledattention.inference.RequestException;
import org.recycledattention.inference.chat.ChatTemplateException;
import org.recycledattention.model.io.SafeText;

/**
 * An OpenAI-compatible HTTP server over one {@link Engine}, on the JDK's own HTTP server:
 *
 * <ul>
 *   <li>{@code GET /health}: {@code {"status": "ok", ...}} (503 {@code "shutting down"} while
 *       draining);
 *   <li>{@code GET /v1/models}: the one model;
 *   <li>{@code POST /v1/chat/completions} and {@code POST /v1/completions}: OpenAI's request and
 *       response shapes, streamed as server-sent events ({@code data: {...}} chunks with {@code
 *       delta}, then {@code data: [DONE]}) when {@code "stream": true}; see {@link Requests} for
 *       what is read and the {@code "ra"} extension that picks the policy per request.
 * </ul>
 *
 * Errors are {@code {"error": {"message", "type", "param", "code"}}}: 400 for bad JSON, wrong
 * types, out-of-range values, unsupported features, bad {@code "ra"} settings and prompts that do
 * not fit the context; 404/405 for other paths and methods; 413 for an oversized body; 503 when the
 * queue is full or the server is shutting down.
 *
 * <p>Scheduling: each request is its own sequence. {@link ServerOptions#parallel()} worker threads
 * generate at once; up to {@link ServerOptions#queue()} more requests wait; beyond that 503. Every
 * request is checked (and its prompt encoded) before it is queued. A streaming client that goes
 * away is noticed at the next chunk written and its generation is cancelled (a non-streaming one
 * when its answer is written: the JDK server offers no earlier signal). {@link #shutdown} stops
 * accepting, lets running and queued requests finish for the grace period, then cancels them.
 *
 * <p>Thread-safe.
 */
public final class OpenAiServer implements AutoCloseable {
  private static final String SHUTTING_DOWN =
      "the server is shutting down; send the request to another instance";

  private static final String PATHS =
      "GET /health, GET /v1/models, GET /v1/models/{id}, POST /v1/chat/completions, POST"
          + " /v1/completions";

  private final Engine engine;
  private final ServerOptions options;
  private final HttpServer http;
  private final ExecutorService handlers;
  private final ThreadPoolExecutor workers;
  private final ObjectMapper json = new ObjectMapper();
  private final Set<Job> active = ConcurrentHashMap.newKeySet();
  private final long created = Instant.now().getEpochSecond();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong cancelled = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private volatile boolean draining;
  private volatile boolean abandoning;
  private volatile boolean stopped;

  private OpenAiServer(Engine engine, ServerOptions options) throws IOException {
    this.engine = engine;
    this.options = options;
    BlockingQueue<Runnable> queue =
        options.queue() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(options.queue());
    AtomicInteger n = new AtomicInteger();
    this.workers =
        new ThreadPoolExecutor(
            options.parallel(),
            options.parallel(),
            0,
            TimeUnit.SECONDS,
            queue,
            r -> {
              Thread t = new Thread(r, "ra-serve-worker-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.handlers = Executors.newVirtualThreadPerTaskExecutor();
    this.http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 128);
    http.setExecutor(handlers);
    http.createContext("/", this::handle);
    http.start();
  }

  /**
   * Starts serving {@code engine}; the caller keeps closing the engine (after this server).
   *
   * @throws IOException when the address cannot be bound (in use, not local)
   */
  public static OpenAiServer start(Engine engine, ServerOptions options) throws IOException {
    return new OpenAiServer(
        requireNonNull(engine, "engine is null"), requireNonNull(options, "options is null"));
  }

  /** The bound port (the real one when {@link ServerOptions#port()} was 0). */
  public int port() {
    return http.getAddress().getPort();
  }

  /** {@code http://host:port}. */
  public String url() {
    String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
    return "http://" + host + ":" + port();
  }

  /** Counters since the start. */
  public record Stats(int running, int queued, long completed, long cancelled, long rejected) {}

  public Stats stats() {
    return new Stats(
        running.get(), workers.getQueue().size(), completed.get(), cancelled.get(), rejected.get());
  }

  /**
   * Stops accepting connections and requests, lets running and queued requests finish for the grace
   * period, cancels what is still running, and stops. Idempotent; returns when everything has
   * stopped.
   */
  public void shutdown() {
    synchronized (this) {
      if (stopped) {
        return;
      }
      stopped = true;
    }
    draining = true;
    long graceMs = options.shutdownGrace().toMillis();
    // closes the listening socket at once, then waits for the exchanges in progress
    Thread stopper =
        Thread.ofPlatform()
            .name("ra-serve-stop")
            .start(() -> http.stop((int) Math.max(1, (graceMs + 5_999) / 1000)));
    workers.shutdown();
    try {
      if (!workers.awaitTermination(graceMs, TimeUnit.MILLISECONDS)) {
        abandoning = true; // queued requests that start from now on are cancelled at once
        active.forEach(Job::cancel);
        workers.awaitTermination(5, TimeUnit.SECONDS);
      }
      stopper.join(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    workers.shutdownNow();
    handlers.shutdownNow();
  }

  @Override
  public void close() {
    shutdown();
  }

  private void handle(HttpExchange ex) {
    try {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      switch (path) {
        case "/health", "/v1/health" -> {
          requireMethod(method, "GET", path);
          health(ex);
        }
        case "/v1/models", "/models" -> {
          requireMethod(method, "GET", path);
          models(ex);
        }
        case "/v1/chat/completions", "/chat/completions" -> {
          requireMethod(method, "POST", path);
          generate(ex, true);
        }
        case "/v1/completions", "/completions" -> {
          requireMethod(method, "POST", path);
          generate(ex, false);
        }
        default -> {
          if (path.startsWith("/v1/models/")) {
            requireMethod(method, "GET", path);
            model(ex, path.substring("/v1/models/".length()));
          } else {
            throw ApiError.notFound(null,
                "no endpoint " + method + " " + path + "; this server has " + PATHS);
          }
        }
      }
    } catch (ApiError e) {
      sendError(ex, e);
    } catch (IOException e) {
      // the client went away; nothing to answer
    } catch (RuntimeException e) {
      sendError(ex, ApiError.serverError("internal error: " + e));
    } finally {
      ex.close();
    }
  }

  private static void requireMethod(String method, String expected, String path) {
    if (!method.equals(expected)) {
      throw new ApiError(
          405, ApiError.INVALID_REQUEST, null, path + " takes " + expected + ", not " + method);
    }
  }

  private void health(HttpExchange ex) throws IOException {
    ObjectNode o = json.createObjectNode();
    o.put("status", draining ? "shutting down" : "ok");
    o.put("model", engine.modelName());
    o.put("policy", engine.policyName());
    o.put("budget", engine.budget());
    o.put("backend", engine.runtime().config().backendName());
    o.put("parallel", options.parallel());
    o.put("queue", options.queue());
    o.put("running", running.get());
    o.put("queued", workers.getQueue().size());
    sendJson(ex, draining ? 503 : 200, o);
  }

  private void models(HttpExchange ex) throws IOException {
    ObjectNode o = json.createObjectNode();
    o.put("object", "list");
    o.putArray("data").add(modelObject());
    sendJson(ex, 200, o);
  }

  /** {@code GET /v1/models/{id}}: the model when the id is its name. */
  private void model(HttpExchange ex, String id) throws IOException {
    if (!id.equals(engine.modelName())) {
      throw ApiError.notFound("model",
          "model '" + id + "' is not served here; this server serves '" + engine.modelName() + "'");
    }
    sendJson(ex, 200, modelObject());
  }

  private ObjectNode modelObject() {
    ObjectNode m = json.createObjectNode();
    m.put("id", engine.modelName());
    m.put("object", "model");
    m.put("created", created);
    m.put("owned_by", "recycled-attention");
    m.put("context_length", engine.contextLength());
    return m;
  }

  private void generate(HttpExchange ex, boolean chat) throws IOException {
    if (draining) {
      throw ApiError.unavailable(SHUTTING_DOWN);
    }
    JsonNode body = readJson(ex);
    Requests.Parsed parsed = chat ? Requests.chat(body) : Requests.completion(body);
    PreparedCompletion prepared;
    try {
      prepared = engine.prepare(parsed.completion());
    } catch (RequestException e) {
      throw ApiError.badRequest(param(e.field(), chat), e.getMessage());
    } catch (ChatTemplateException e) {
      if (e.rejected()) {
        throw ApiError.badRequest("messages", e.getMessage());
      }
      throw ApiError.serverError(e.getMessage());
    }
    Job job = new Job(ex, parsed, prepared);
    try {
      workers.execute(job);
    } catch (RejectedExecutionException e) {
      rejected.incrementAndGet();
      throw ApiError.unavailable(draining
              ? SHUTTING_DOWN
              : "the server is busy: "
                  + options.parallel()
                  + " requests are generating and "
                  + options.queue()
                  + " are queued; retry later");
    }
    job.awaitDone();
  }

  private static String param(RequestException.Field field, boolean chat) {
    return switch (field) {
      case PROMPT -> chat ? "messages" : "prompt";
      case MAX_TOKENS -> "max_tokens";
      case STOP -> "stop";
      case POLICY -> "ra.policy";
      case BUDGET -> "ra.budget";
      case SETTINGS -> "ra.set";
    };
  }

  private JsonNode readJson(HttpExchange ex) throws IOException {
    byte[] bytes;
    try (InputStream in = ex.getRequestBody()) {
      bytes = in.readNBytes(options.maxBodyBytes() + 1);
    }
    if (bytes.length > options.maxBodyBytes()) {
      throw new ApiError(
          413,
          ApiError.INVALID_REQUEST,
          null,
          "the request body is over " + options.maxBodyBytes() + " bytes; send a smaller one");
    }
    JsonNode node;
    try {
      node = json.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw ApiError.badRequest(
          null,
          "the request body is not valid JSON: "
              + SafeText.line(e.getOriginalMessage())
              + " (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")");
    }
    if (node == null || !node.isObject()) {
      throw ApiError.badRequest(
          null, "the request body must be a JSON object, got " + Requests.describe(node));
    }
    return node;
  }

  private void sendJson(HttpExchange ex, int status, ObjectNode body) throws IOException {
    byte[] bytes = json.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private void sendError(HttpExchange ex, ApiError e) {
    ObjectNode o = errorBody(e);
    try {
      sendJson(ex, e.status(), o);
    } catch (IOException | RuntimeException ignored) {
      // headers already sent or the client went away
    }
  }

  private ObjectNode errorBody(ApiError e) {
    ObjectNode o = json.createObjectNode();
    ObjectNode err = o.putObject("error");
    err.put("message", e.getMessage());
    err.put("type", e.type());
    if (e.param() == null) {
      err.putNull("param");
    } else {
      err.put("param", e.param());
    }
    err.putNull("code");
    return o;
  }

  private static String finishReason(FinishReason r) {
    return r == FinishReason.LENGTH ? "length" : "stop";
  }

  /**
   * One generation: runs on a worker thread and writes the answer; the handler thread waits for it.
   */
  private final class Job implements Runnable {
    private final HttpExchange ex;
    private final Requests.Parsed request;
    private final PreparedCompletion prepared;
    private final Cancellation cancellation = new Cancellation();
    private final CountDownLatch done = new CountDownLatch(1);
    private final String id;
    private final long createdAt = Instant.now().getEpochSecond();
    private volatile boolean clientGone;
    private volatile boolean cancelledByServer;
    private OutputStream stream;

    Job(HttpExchange ex, Requests.Parsed request, PreparedCompletion prepared) {
      this.ex = ex;
      this.request = request;
      this.prepared = prepared;
      this.id =
          (request.chat() ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
    }

    void cancel() {
      cancelledByServer = true;
      cancellation.cancel();
    }

    void awaitDone() {
      try {
        done.await();
      } catch (InterruptedException e) {
        cancel();
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void run() {
      active.add(this);
      running.incrementAndGet();
      try {
        if (abandoning) {
          cancel();
          sendError(
              ex,
              ApiError.unavailable(SHUTTING_DOWN));
          return;
        }
        if (request.stream()) {
          streamed();
        } else {
          whole();
        }
      } catch (IOException e) {
        clientGone = true;
        cancellation.cancel();
      } catch (RuntimeException e) {
        if (stream == null) {
          sendError(
              ex,
              generationFailed(e));
        } else {
          try {
            event(
                errorBody(
                    generationFailed(e)));
            done();
          } catch (IOException ignored) {
            clientGone = true;
          }
        }
      } finally {
        if (clientGone || cancellation.isCancelled()) {
          cancelled.incrementAndGet();
        } else {
          completed.incrementAndGet();
        }
        running.decrementAndGet();
        active.remove(this);
        done.countDown();
      }
    }

    private static ApiError generationFailed(RuntimeException e) {
      return ApiError.serverError(
          "generation failed: " + SafeText.line(e.getMessage() == null ? e.toString() : e.getMessage()));
    }

    private void whole() throws IOException {
      Completion c = engine.run(prepared, piece -> {}, cancellation);
      if (c.finishReason() == FinishReason.CANCELLED) {
        sendError(
            ex,
            ApiError.unavailable("the server is shutting down; the generation was cancelled"));
        return;
      }
      ObjectNode o = header(request.chat() ? "chat.completion" : "text_completion");
      ObjectNode choice = o.putArray("choices").addObject();
      choice.put("index", 0);
      if (request.chat()) {
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", c.text());
        message.putNull("refusal");
      } else {
        choice.put("text", c.text());
      }
      choice.putNull("logprobs");
      choice.put("finish_reason", finishReason(c.finishReason()));
      usage(o, c);
      extension(o, c);
      sendJson(ex, 200, o);
    }

    private void streamed() throws IOException {
      ex.getResponseHeaders().set("Content-Type", "text/event-stream");
      ex.getResponseHeaders().set("Cache-Control", "no-cache");
      ex.sendResponseHeaders(200, 0);
      stream = ex.getResponseBody();
      if (request.chat()) {
        ObjectNode first = chunk();
        ObjectNode choice = first.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        delta.put("role", "assistant");
        delta.put("content", "");
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        event(first);
      }
      Completion c =
          engine.run(
              prepared,
              piece -> {
                if (clientGone) {
                  return;
                }
                try {
                  event(piece(piece, null));
                } catch (IOException e) {
                  clientGone = true;
                  cancellation.cancel();
                }
              },
              cancellation);
      if (clientGone) {
        return;
      }
      if (c.finishReason() == FinishReason.CANCELLED) {
        event(
            errorBody(
                ApiError.unavailable("the server is shutting down; the generation was cancelled")));
        done();
        return;
      }
      event(piece(null, finishReason(c.finishReason())));
      if (request.includeUsage()) {
        ObjectNode u = chunk();
        u.putArray("choices");
        usage(u, c);
        event(u);
      }
      done();
    }

    private ObjectNode piece(String text, String finish) {
      ObjectNode o = chunk();
      ObjectNode choice = o.putArray("choices").addObject();
      choice.put("index", 0);
      if (request.chat()) {
        ObjectNode delta = choice.putObject("delta");
        if (text != null) {
          delta.put("content", text);
        }
      } else {
        choice.put("text", text == null ? "" : text);
      }
      choice.putNull("logprobs");
      if (finish == null) {
        choice.putNull("finish_reason");
      } else {
        choice.put("finish_reason", finish);
      }
      return o;
    }

    private ObjectNode chunk() {
      return header(request.chat() ? "chat.completion.chunk" : "text_completion");
    }

    private ObjectNode header(String object) {
      ObjectNode o = json.createObjectNode();
      o.put("id", id);
      o.put("object", object);
      o.put("created", createdAt);
      o.put("model", engine.modelName());
      o.putNull("system_fingerprint");
      return o;
    }

    private void usage(ObjectNode o, Completion c) {
      ObjectNode u = o.putObject("usage");
      u.put("prompt_tokens", c.promptTokens());
      u.put("completion_tokens", c.completionTokens());
      u.put("total_tokens", c.promptTokens() + c.completionTokens());
    }

    /** What this server adds: the policy that ran and its statistics. */
    private void extension(ObjectNode o, Completion c) {
      GenerationStats s = c.stats();
      ObjectNode ra = o.putObject("ra");
      ra.put("policy", c.policy());
      ra.put("budget", c.budget());
      ra.put("prefill_ms", s.prefillMillis());
      ra.put("decode_tokens_per_s", s.decodeTokensPerSecond());
      ra.put("full_steps", s.fullSteps());
      ra.put("partial_steps", s.partialSteps());
      ra.put("mean_tokens_attended", s.meanTokensAttended());
      ra.put("peak_resident_kv_bytes", s.peakResidentKvBytes());
    }

    private void event(ObjectNode data) throws IOException {
      write("data: " + json.writeValueAsString(data) + "\n\n");
    }

    private void done() throws IOException {
      write("data: [DONE]\n\n");
    }

    private void write(String s) throws IOException {
      stream.write(s.getBytes(StandardCharsets.UTF_8));
      stream.flush();
    }
  }
}
