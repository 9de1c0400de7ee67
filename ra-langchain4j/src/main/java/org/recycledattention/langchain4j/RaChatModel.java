package org.recycledattention.langchain4j;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import org.recycledattention.engine.decode.TextListener;

/**
 * langchain4j's {@link ChatModel} over the in-process engine: a conversation is formatted with the
 * model's chat template and answered with the chosen attention policy and KV-cache backend.
 *
 * <pre>{@code
 * try (RaChatModel model =
 *     RaChatModel.builder().modelPath(Path.of("model.gguf")).policy("recycled").budget(256).build()) {
 *   String answer = model.chat("Why is the sky blue?");
 * }
 * }</pre>
 *
 * Greedy unless a temperature is set. Tools, JSON response formats, penalties and images are
 * refused with langchain4j's {@code UnsupportedFeatureException}; a request the engine refuses (a
 * prompt longer than the context, an unknown policy) with {@code InvalidRequestException}.
 *
 * <p>Thread-safe. {@link #close()} closes the engine when the model built it.
 */
public final class RaChatModel extends EngineModel implements ChatModel {
  private RaChatModel(RaModelOptions options) {
    super(options);
  }

  public static Builder builder() {
    return new Builder();
  }


  @Override
  public ChatResponse doChat(ChatRequest request) {
    try {
      return Conversations.response(
          engine.complete(Conversations.request(request, options), TextListener.NONE),
          engine.modelName());
    } catch (RuntimeException e) {
      throw Conversations.translate(e);
    }
  }

  /** Builds a {@link RaChatModel}; see the options of {@link RaModelOptions.Builder}. */
  public static final class Builder extends RaModelOptions.Builder<Builder> {
    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /**
     * Builds the model, loading the engine unless one was given.
     *
     * @throws org.recycledattention.api.RaException in one line for a bad policy, key, backend or
     *     model file
     */
    public RaChatModel build() {
      return new RaChatModel(options());
    }
  }
}
