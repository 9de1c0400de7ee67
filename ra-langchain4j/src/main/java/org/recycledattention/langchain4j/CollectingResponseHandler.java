package org.recycledattention.langchain4j;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link StreamingChatResponseHandler} that collects the streamed text and completes a future with
 * the final response, or with the error: streaming for a caller that also wants to wait for the end.
 * Works with any langchain4j {@code StreamingChatModel}, {@link RaStreamingChatModel} or a remote one.
 *
 * <pre>{@code
 * CollectingResponseHandler handler = new CollectingResponseHandler();
 * model.chat("Why is the sky blue?", handler);
 * ChatResponse response = handler.await(Duration.ofSeconds(30));
 * }</pre>
 *
 * <p>Thread-safe: the model may call it from its own thread.
 */
public final class CollectingResponseHandler implements StreamingChatResponseHandler {
  private final StringBuilder streamed = new StringBuilder();
  private final CompletableFuture<ChatResponse> response = new CompletableFuture<>();

  @Override
  public void onPartialResponse(String partial) {
    synchronized (streamed) {
      streamed.append(partial);
    }
  }

  @Override
  public void onCompleteResponse(ChatResponse complete) {
    response.complete(complete);
  }

  @Override
  public void onError(Throwable error) {
    response.completeExceptionally(error);
  }

  /** The text streamed so far: every partial response, in order. */
  public String streamedText() {
    synchronized (streamed) {
      return streamed.toString();
    }
  }

  /** Completes with the final response, or exceptionally with the model's error. */
  public CompletableFuture<ChatResponse> response() {
    return response;
  }

  /**
   * Waits for the final response.
   *
   * @throws ExecutionException holding the model's error when the stream failed
   * @throws TimeoutException when no response came within {@code timeout}
   */
  public ChatResponse await(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
    return response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
