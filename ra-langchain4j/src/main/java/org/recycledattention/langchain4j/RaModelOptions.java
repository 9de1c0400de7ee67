package org.recycledattention.langchain4j;

import static java.util.Objects.requireNonNull;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.recycledattention.inference.Engine;
import org.recycledattention.inference.PolicyOverrides;
import org.recycledattention.inference.chat.ChatTemplate;

/**
 * What {@link RaChatModel} and {@link RaStreamingChatModel} are built from: the engine (given, or
 * loaded from a model file, or the built-in probe), the attention policy, budget and backend, and
 * the default request parameters.
 */
record RaModelOptions(
    Engine engine,
    Path modelPath,
    String policy,
    Integer budget,
    String backend,
    Map<String, String> settings,
    ChatTemplate chatTemplate,
    ChatRequestParameters defaults,
    Long seed) {
  RaModelOptions {
    settings = Map.copyOf(settings);
  }

  /**
   * With a given engine, the policy settings are applied per request; otherwise the engine is built
   * with them.
   */
  PolicyOverrides overrides() {
    return engine == null ? PolicyOverrides.NONE : new PolicyOverrides(policy, budget, settings);
  }

  /** The engine to use and whether the model owns it (built here, closed by the model). */
  Engine openEngine() {
    if (engine != null) {
      if (backend != null && !backend.equals(engine.runtime().config().backendName())) {
        throw new IllegalArgumentException(
            "backend '"
                + backend
                + "' differs from the given engine's backend '"
                + engine.runtime().config().backendName()
                + "'; the backend is the engine's");
      }
      return engine;
    }
    Engine.Builder b = Engine.builder();
    if (modelPath != null) {
      b.model(modelPath);
    }
    if (policy != null) {
      b.policy(policy);
    }
    if (budget != null) {
      b.budget(budget);
    }
    if (backend != null) {
      b.backend(backend);
    }
    settings.forEach(b::set);
    if (chatTemplate != null) {
      b.chatTemplate(chatTemplate);
    }
    return b.build();
  }

  /** The shared builder of both models. */
  abstract static class Builder<B extends Builder<B>> {
    private Engine engine;
    private Path modelPath;
    private String policy;
    private Integer budget;
    private String backend;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private ChatTemplate chatTemplate;
    private Double temperature;
    private Double topP;
    private Integer topK;
    private Integer maxTokens;
    private final List<String> stop = new ArrayList<>();
    private Long seed;

    Builder() {}

    abstract B self();

    /**
     * Use this engine (shared, not closed by the model); the policy options then apply per request.
     */
    public B engine(Engine e) {
      this.engine = requireNonNull(e, "engine is null");
      return self();
    }

    /**
     * Load this model file (GGUF, llama2.c .bin, safetensors directory); default: the built-in
     * probe.
     */
    public B modelPath(Path path) {
      this.modelPath = requireNonNull(path, "path is null");
      return self();
    }

    /**
     * The attention policy ({@code ra.policy}): full, local, h2o, snapkv, recycled, or a plugin's.
     */
    public B policy(String name) {
      this.policy = requireNonNull(name, "name is null");
      return self();
    }

    /** The token budget K ({@code ra.budget}). */
    public B budget(int k) {
      this.budget = k;
      return self();
    }

    /** The KV-cache backend ({@code ra.backend}). */
    public B backend(String name) {
      this.backend = requireNonNull(name, "name is null");
      return self();
    }

    /** Any policy key, e.g. {@code set("ra.policy.recycled.stride", "5")}. */
    public B set(String key, String value) {
      settings.put(requireNonNull(key, "key is null"), requireNonNull(value, "value is null"));
      return self();
    }

    /** A chat template to use instead of the model's. */
    public B chatTemplate(ChatTemplate template) {
      this.chatTemplate = requireNonNull(template, "template is null");
      return self();
    }

    /** Sampling temperature; 0 (the default) is greedy. */
    public B temperature(double t) {
      this.temperature = t;
      return self();
    }

    public B topP(double p) {
      this.topP = p;
      return self();
    }

    public B topK(int k) {
      this.topK = k;
      return self();
    }

    /** The most tokens per answer (default: as many as the context leaves). */
    public B maxTokens(int n) {
      this.maxTokens = n;
      return self();
    }

    /** Stop strings. */
    public B stop(List<String> strings) {
      stop.clear();
      stop.addAll(strings);
      return self();
    }

    /** The sampler's seed (default: random per request). */
    public B seed(long s) {
      this.seed = s;
      return self();
    }

    RaModelOptions options() {
      ChatRequestParameters defaults =
          ChatRequestParameters.builder()
              .temperature(temperature == null ? 0.0 : temperature)
              .topP(topP)
              .topK(topK)
              .maxOutputTokens(maxTokens)
              .stopSequences(List.copyOf(stop))
              .build();
      return new RaModelOptions(
          engine, modelPath, policy, budget, backend, settings, chatTemplate, defaults, seed);
    }
  }
}
