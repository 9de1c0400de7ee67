package org.recycledattention.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import org.recycledattention.inference.Engine;

/**
 * What the blocking and the streaming chat model share: the options they were built with, the engine
 * they run on (opened from the options unless one was given) and its closing.
 */
abstract sealed class EngineModel implements AutoCloseable permits RaChatModel, RaStreamingChatModel {
  final RaModelOptions options;
  final Engine engine;
  private final boolean ownsEngine;

  EngineModel(RaModelOptions options) {
    this.options = options;
    this.engine = options.openEngine();
    this.ownsEngine = options.engine() == null;
  }

  /** The engine the model runs on. */
  public final Engine engine() {
    return engine;
  }

  /** The request parameters the builder set (langchain4j merges a request's own over them). */
  public final ChatRequestParameters defaultRequestParameters() {
    return options.defaults();
  }

  public final ModelProvider provider() {
    return ModelProvider.OTHER;
  }

  /** Closes the engine when the model opened it; an engine given to the builder stays open. */
  @Override
  public final void close() {
    if (ownsEngine) {
      engine.close();
    }
  }
}
