package org.recycledattention.langchain4j;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import org.recycledattention.engine.decode.Cancellation;
import org.recycledattention.engine.decode.FinishReason;
import org.recycledattention.inference.Completion;
import org.recycledattention.inference.CompletionRequest;
import org.recycledattention.inference.PreparedCompletion;

/**
 * langchain4j's {@link StreamingChatModel} over the in-process engine: text reaches {@code
 * onPartialResponse} as it is generated (whole characters; never the start of a stop string), then
 * {@code onCompleteResponse}. Each request runs on a virtual thread of its own; the handler's
 * {@link StreamingHandle#cancel()} stops the generation before its next token (and no complete
 * response follows). Options as {@link RaChatModel}.
 *
 * <p>Thread-safe. {@link #close()} closes the engine when the model built it.
 */
public final class RaStreamingChatModel extends EngineModel implements StreamingChatModel {
  private RaStreamingChatModel(RaModelOptions options) {
    super(options);
  }

  public static Builder builder() {
    return new Builder();
  }


  @Override
  public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
    PreparedCompletion prepared;
    try {
      CompletionRequest r = Conversations.request(request, options);
      prepared = engine.prepare(r);
    } catch (RuntimeException e) {
      handler.onError(Conversations.translate(e));
      return;
    }
    Cancellation cancellation = new Cancellation();
    StreamingHandle handle =
        new StreamingHandle() {
          @Override
          public void cancel() {
            cancellation.cancel();
          }

          @Override
          public boolean isCancelled() {
            return cancellation.isCancelled();
          }
        };
    PartialResponseContext context = new PartialResponseContext(handle);
    Thread.ofVirtual()
        .name("ra-langchain4j-stream")
        .start(
            () -> {
              Completion c;
              try {
                c =
                    engine.run(
                        prepared,
                        text -> handler.onPartialResponse(new PartialResponse(text), context),
                        cancellation);
              } catch (RuntimeException e) {
                handler.onError(Conversations.translate(e));
                return;
              }
              if (c.finishReason() != FinishReason.CANCELLED) {
                handler.onCompleteResponse(Conversations.response(c, engine.modelName()));
              }
            });
  }

  /** Builds a {@link RaStreamingChatModel}; see the options of {@link RaModelOptions.Builder}. */
  public static final class Builder extends RaModelOptions.Builder<Builder> {
    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    public RaStreamingChatModel build() {
      return new RaStreamingChatModel(options());
    }
  }
}
