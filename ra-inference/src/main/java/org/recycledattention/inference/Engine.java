package org.recycledattention.inference;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.recycledattention.api.RaException;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.engine.config.ConfigLayers;
import org.recycledattention.engine.config.ConfigLayers.Setting;
import org.recycledattention.engine.decode.Cancellation;
import org.recycledattention.engine.decode.GenerationRequest;
import org.recycledattention.engine.decode.GenerationResult;
import org.recycledattention.engine.decode.Generator;
import org.recycledattention.engine.decode.TextListener;
import org.recycledattention.engine.decode.TokenListener;
import org.recycledattention.engine.wiring.Models;
import org.recycledattention.engine.wiring.RaRuntime;
import org.recycledattention.inference.chat.ChatFormatter;
import org.recycledattention.inference.chat.ChatMessage;
import org.recycledattention.inference.chat.ChatTemplate;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.model.tokenizer.Tokenizer;
import org.recycledattention.probe.ShippedProbe;

/**
 * One loaded model with its attention policy and KV-cache backend, for applications: text (or a
 * conversation) in, text out, streamed as it is generated.
 *
 * <pre>{@code
 * try (Engine engine = Engine.builder().model(Path.of("model.gguf")).policy("recycled").budget(256).build()) {
 *   Completion c = engine.complete(
 *       CompletionRequest.text("Once upon a time").withMaxTokens(64).withStop("\n"), System.out::print);
 *   System.out.println(c.finishReason() + " " + c.stats().decodeTokensPerSecond());
 * }
 * }</pre>
 *
 * <p>Configuration is the command line's: the same keys ({@code ra.policy}, {@code ra.backend},
 * {@code ra.budget}, {@code ra.policy.<name>.<key>}, ...), validated before the model loads, with
 * the same one-line errors. A request may change the policy, its budget and its keys ({@link
 * PolicyOverrides}); the backend is the engine's. Policies and backends are found on the class path
 * (ra-policies and ra-backend-cpu, or plugins through {@link Builder#classLoader}).
 *
 * <p>Thread-safe: completions run concurrently, each on its own sequence (KV cache and policy).
 * {@link #close()} closes the model and the backend.
 */
public final class Engine implements AutoCloseable {
  private final LanguageModel model;
  private final RaRuntime runtime;
  private final PolicySelection policies;
  private final ChatTemplate template;
  private final ChatFormatter chat;
  private final String name;
  private final int threads;
  private final Path extracted;
  private final boolean ownsRuntime;

  private Engine(
      LanguageModel model,
      RaRuntime runtime,
      ChatTemplate template,
      String name,
      int threads,
      Path extracted,
      boolean ownsRuntime) {
    this.model = model;
    this.runtime = runtime;
    this.policies = new PolicySelection(runtime);
    this.template = template;
    this.chat = model.tokenizer().map(t -> new ChatFormatter(t, template)).orElse(null);
    this.name = name;
    this.threads = threads;
    this.extracted = extracted;
    this.ownsRuntime = ownsRuntime;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The model's name: its file name without the extension ({@code probe} for the built-in probe).
   */
  public String modelName() {
    return name;
  }

  public LanguageModel model() {
    return model;
  }

  public Optional<Tokenizer> tokenizer() {
    return model.tokenizer();
  }

  /** The model's context length in tokens. */
  public int contextLength() {
    return model.shape().contextLength();
  }

  /** The chat template: the model's, the builder's, or {@link ChatTemplate#fallback()}. */
  public ChatTemplate chatTemplate() {
    return template;
  }

  /** The engine's policy and backend configuration (validated). */
  public RaRuntime runtime() {
    return runtime;
  }

  /** The default policy's name. */
  public String policyName() {
    return policies.defaults().policy();
  }

  /** The default budget K. */
  public int budget() {
    return policies.defaults().budget();
  }

  /** Kernel threads of each sequence. */
  public int threadsPerSequence() {
    return threads;
  }

  /**
   * The prompt text of a conversation, as the chat template renders it, with the generation prompt.
   *
   * @throws org.recycledattention.inference.chat.ChatTemplateException when the template refuses
   *     the messages or cannot render
   */
  public String renderChat(List<ChatMessage> messages) {
    requireTokenizer("a conversation");
    return chat.render(messages);
  }

  /**
   * The prompt's token ids: text encoded with BOS as the model asks; a conversation rendered by the
   * chat template, its control-token text parsed to those tokens (a BOS the template writes is
   * kept, once); ids as given.
   *
   * @throws RequestException for a prompt that encodes to nothing, or text for a model without a
   *     tokenizer
   */
  public int[] encode(Prompt prompt) {
    requireNonNull(prompt, "prompt is null");
    int[] ids =
        switch (prompt) {
          case Prompt.Ids p -> p.ids();
          case Prompt.Text p -> {
            Tokenizer t = requireTokenizer("a text prompt");
            yield t.encode(p.text(), t.addBosByDefault());
          }
          case Prompt.Chat p -> {
            if (p.messages().isEmpty()) {
              throw new RequestException(
                  RequestException.Field.PROMPT,
                  "the conversation has no messages; give at least one");
            }
            requireTokenizer("a conversation");
            yield chat.encode(p.messages());
          }
        };
    if (ids.length == 0) {
      throw new RequestException(
          RequestException.Field.PROMPT,
          "the prompt is empty (it encodes to no tokens); give some text");
    }
    int vocab = model.config().vocabSize();
    for (int id : ids) {
      if (id < 0 || id >= vocab) {
        throw new RequestException(
            RequestException.Field.PROMPT,
            "token id " + id + " is outside the model's vocabulary [0, " + vocab + ")");
      }
    }
    return ids;
  }

  /**
   * Checks and encodes a request without running it: the policy overrides (as the command line
   * checks them), the prompt, and that prompt plus max tokens fit the context.
   *
   * @throws RequestException naming what is wrong
   */
  public PreparedCompletion prepare(CompletionRequest request) {
    requireNonNull(request, "request is null");
    PolicySelection.Selected selected = policies.select(request.policy());
    int[] ids = encode(request.prompt());
    int context = contextLength();
    if (ids.length >= context) {
      throw new RequestException(
          RequestException.Field.PROMPT,
          "the prompt has "
              + ids.length
              + " tokens, but the model's context is "
              + context
              + " tokens and leaves no room for a reply; shorten the prompt");
    }
    int max = request.maxTokens() == 0 ? context - ids.length : request.maxTokens();
    if ((long) ids.length + max > context) {
      throw new RequestException(
          RequestException.Field.MAX_TOKENS,
          "the prompt ("
              + ids.length
              + " tokens) plus max tokens "
              + max
              + " is "
              + ((long) ids.length + max)
              + " tokens, beyond the model's context of "
              + context
              + "; lower max tokens (at most "
              + (context - ids.length)
              + " here) or shorten the prompt");
    }
    if (!request.stop().isEmpty() && model.tokenizer().isEmpty()) {
      throw new RequestException(
          RequestException.Field.STOP,
          "stop strings need a model with a tokenizer; this one has none");
    }
    GenerationRequest g =
        new GenerationRequest(
            ids,
            max,
            request.sampling(),
            !request.ignoreEos(),
            false,
            request.stop(),
            new Cancellation());
    return new PreparedCompletion(g, selected);
  }

  /**
   * Runs a prepared completion, passing text to {@code text} as it becomes final; {@code
   * cancellation} stops it from another thread (the completion then ends with {@code CANCELLED}).
   */
  public Completion run(PreparedCompletion prepared, TextListener text, Cancellation cancellation) {
    requireNonNull(prepared, "prepared is null");
    GenerationRequest g =
        prepared
            .generation()
            .withCancellation(requireNonNull(cancellation, "cancellation is null"));
    KvCacheBackend backend = runtime.backend();
    GenerationResult r =
        new Generator(model, backend, prepared.selected().factory(), threads)
            .generate(g, TokenListener.NONE, text);
    return new Completion(
        r.text() == null ? "" : r.text(),
        r.tokens(),
        r.finishReason(),
        r.promptIds().length,
        prepared.policy(),
        prepared.budget(),
        r.stats());
  }

  /** {@link #prepare} then {@link #run}, streaming text to {@code text}. */
  public Completion complete(CompletionRequest request, TextListener text) {
    return run(prepare(request), text, new Cancellation());
  }

  /**
   * {@link #prepare} then {@link #run}, streaming text to {@code text}; {@code cancellation} stops
   * it.
   */
  public Completion complete(
      CompletionRequest request, TextListener text, Cancellation cancellation) {
    return run(prepare(request), text, cancellation);
  }

  /** {@link #complete(CompletionRequest, TextListener)} without streaming. */
  public Completion complete(CompletionRequest request) {
    return complete(request, TextListener.NONE);
  }

  private Tokenizer requireTokenizer(String what) {
    return model
        .tokenizer()
        .orElseThrow(
            () ->
                new RequestException(
                    RequestException.Field.PROMPT,
                    "model '"
                        + name
                        + "' carries no tokenizer, so "
                        + what
                        + " cannot be encoded; give token ids"));
  }

  /**
   * Closes the model and, unless the runtime was given to the builder, the runtime and its backend.
   */
  @Override
  public void close() {
    try {
      if (ownsRuntime) {
        runtime.close();
      }
    } finally {
      model.close();
      if (extracted != null) {
        try {
          Files.deleteIfExists(extracted);
        } catch (IOException e) {
          // a temporary file; the OS cleans its temp directory
        }
      }
    }
  }

  /**
   * Builds an {@link Engine}. Without {@link #model} it loads the built-in probe model. Settings
   * are layered over the {@linkplain #configuration configuration} (built-in defaults unless
   * given), in the order given, like command-line flags.
   */
  public static final class Builder {
    private Path model;
    private ConfigLayers layers = ConfigLayers.defaultsOnly();
    private final List<Setting> settings = new ArrayList<>();
    private ClassLoader loader = Engine.class.getClassLoader();
    private RaRuntime given;
    private boolean layersSet;
    private boolean loaderSet;
    private ChatTemplate template;
    private Integer threads;
    private int parallel = 1;

    private Builder() {}

    /** A GGUF file, a llama2.c {@code .bin} or a safetensors directory. */
    public Builder model(Path path) {
      this.model = requireNonNull(path, "path is null");
      return this;
    }

    /** {@code ra.policy}. */
    public Builder policy(String name) {
      return set("ra.policy", name);
    }

    /** {@code ra.backend}. */
    public Builder backend(String name) {
      return set("ra.backend", name);
    }

    /** {@code ra.budget}. */
    public Builder budget(int k) {
      return set("ra.budget", Integer.toString(k));
    }

    /** Any key, e.g. {@code set("ra.policy.recycled.stride", "5")}. */
    public Builder set(String key, String value) {
      settings.add(
          new Setting(
              requireNonNull(key, "key is null"),
              requireNonNull(value, "value is null"),
              "Engine.Builder"));
      return this;
    }

    /**
     * The layers the builder's settings go on top of (a properties file, the environment, flags).
     */
    public Builder configuration(ConfigLayers base) {
      this.layers = requireNonNull(base, "base is null");
      this.layersSet = true;
      return this;
    }

    /**
     * Where policies and backends are found (a plugin class loader); the engine's own by default.
     */
    public Builder classLoader(ClassLoader classLoader) {
      this.loader = requireNonNull(classLoader, "classLoader is null");
      this.loaderSet = true;
      return this;
    }

    /**
     * Use this runtime (configuration, providers, backend), as the command line builds it for every
     * command, instead of one from the builder's settings; the engine does not close it. Exclusive
     * with {@link #policy}, {@link #backend}, {@link #budget}, {@link #set}, {@link #configuration}
     * and {@link #classLoader}.
     */
    public Builder runtime(RaRuntime r) {
      this.given = requireNonNull(r, "runtime is null");
      return this;
    }

    /** Use this chat template instead of the model's. */
    public Builder chatTemplate(ChatTemplate chatTemplate) {
      this.template = requireNonNull(chatTemplate, "chatTemplate is null");
      return this;
    }

    /** Kernel threads of each sequence (default: {@code ra.threads}). */
    public Builder threadsPerSequence(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("threads per sequence must be >= 1, got " + n);
      }
      this.threads = n;
      return this;
    }

    /**
     * How many sequences will run at once: without {@link #threadsPerSequence}, each gets {@code
     * ra.threads / n} kernel threads (at least one), so that together they use {@code ra.threads}.
     */
    public Builder sequencesInParallel(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("sequences in parallel must be >= 1, got " + n);
      }
      this.parallel = n;
      return this;
    }

    /**
     * Checks the JVM and the configuration, loads the model and starts the backend.
     *
     * @throws RaException in one line: the Vector API missing (naming the JVM flag), an invalid key
     *     or value, an unknown policy or backend, an unreadable or malformed model file
     */
    public Engine build() {
      JvmRequirements.requireVectorApi();
      if (given != null && (!settings.isEmpty() || layersSet || loaderSet)) {
        throw new IllegalStateException(
            "a given runtime carries its own configuration and class loader; set neither on the"
                + " builder");
      }
      RaRuntime runtime =
          given != null ? given : RaRuntime.create(loader, layers.withCommandLine(settings));
      Path extracted = null;
      LanguageModel lm = null;
      try {
        runtime.checkSelection();
        Path file = model;
        if (file == null) {
          extracted = extractProbe();
          file = extracted;
        }
        lm = Models.load(file);
        runtime.backend();
        ChatTemplate t =
            template != null
                ? template
                : ChatTemplate.fromMetadata(lm.metadata()).orElseGet(ChatTemplate::fallback);
        String name =
            model == null
                ? "probe"
                : stripExtension(
                    model.getFileName() == null
                        ? model.toString()
                        : model.getFileName().toString());
        return new Engine(
            lm,
            runtime,
            t,
            name,
            threads != null ? threads : Math.max(1, runtime.threads() / parallel),
            extracted,
            given == null);
      } catch (RuntimeException | Error e) {
        if (given == null) {
          runtime.close();
        }
        if (lm != null) {
          lm.close();
        }
        if (extracted != null) {
          try {
            Files.deleteIfExists(extracted);
          } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
          }
        }
        throw e;
      }
    }

    private static Path extractProbe() {
      try {
        Path f = Files.createTempFile("ra-probe-", ".gguf");
        if (!ShippedProbe.copyTo(f)) {
          Files.deleteIfExists(f);
          throw new RaException(
              "the built-in probe model ("
                  + ShippedProbe.RESOURCE
                  + ") is not on the class path; add ra-probe, or give a model file");
        }
        return f;
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot write the built-in probe model to a temporary file: " + e.getMessage(), e);
      }
    }

    private static String stripExtension(String file) {
      int dot = file.lastIndexOf('.');
      return dot > 0 ? file.substring(0, dot) : file;
    }
  }
}
