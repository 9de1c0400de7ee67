package org.recycledattention.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.TokenStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.recycledattention.inference.CompletionRequest;
import org.recycledattention.inference.Engine;
import org.recycledattention.inference.chat.ChatTemplate;
import org.recycledattention.probe.ShippedProbe;

/**
 * langchain4j conversations against the built-in probe, a retrieval model: given text with a hidden
 * number and the question, it answers the number. Its chat template here passes the messages' text
 * through, so a conversation's prompt is its turns one after another.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RaChatModelTest {

  private static final ChatTemplate PASS_THROUGH =
      ChatTemplate.of("{% for m in messages %}{{ m['content'] }}{% endfor %}");
  private static RaChatModel model;

  @BeforeAll
  static void start() {
    model = RaChatModel.builder().policy("full").chatTemplate(PASS_THROUGH).maxTokens(12).build();
  }

  @AfterAll
  static void stop() {
    model.close();
  }

  interface Librarian {
    String answer(String question);
  }

  @Test
  void anAiServicesConversationRemembersEarlierTurns() {
    Librarian librarian =
        AiServices.builder(Librarian.class)
            .chatModel(model)
            .chatMemory(MessageWindowChatMemory.withMaxMessages(10))
            .build();
    // the first turn only gives the text (the probe continues it with filler); the second only asks
    String first = librarian.answer(ShippedProbe.NEEDLE_HAYSTACK);
    assertThat(first).doesNotContain("3690583");
    String second = librarian.answer(ShippedProbe.NEEDLE_QUESTION);
    // the probe copies the number's first three pieces (" 36", "90", "58") from the remembered
    // turn; the filler
    // between the turns, unlike its training prompts, throws the rest off
    assertThat(second).startsWith(" 369058");
  }

  @Test
  void withoutMemoryTheSecondQuestionAloneHasNoNeedle() {
    Librarian forgetful = AiServices.create(Librarian.class, model);
    assertThat(forgetful.answer(ShippedProbe.NEEDLE_HAYSTACK + ShippedProbe.NEEDLE_QUESTION)).startsWith(ShippedProbe.NEEDLE_ANSWER);
    assertThat(forgetful.answer(ShippedProbe.NEEDLE_QUESTION)).doesNotContain("369058");
  }

  @Test
  void responsesCarryTrueTokenUsageAndFinishReason() {
    ChatResponse r =
        model.chat(
            ChatRequest.builder()
                .messages(UserMessage.from(ShippedProbe.NEEDLE_HAYSTACK + ShippedProbe.NEEDLE_QUESTION))
                .maxOutputTokens(3)
                .build());
    Engine engine = model.engine();
    int prompt = engine.prepare(CompletionRequest.text(ShippedProbe.NEEDLE_HAYSTACK + ShippedProbe.NEEDLE_QUESTION)).promptTokens();
    assertThat(r.tokenUsage().inputTokenCount()).isEqualTo(prompt);
    assertThat(r.tokenUsage().outputTokenCount()).isEqualTo(3);
    assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
    ChatResponse stopped =
        model.chat(
            ChatRequest.builder()
                .messages(UserMessage.from(ShippedProbe.NEEDLE_HAYSTACK + ShippedProbe.NEEDLE_QUESTION))
                .stopSequences(List.of("58"))
                .build());
    assertThat(stopped.aiMessage().text()).isEqualTo(" 3690");
    assertThat(stopped.finishReason()).isEqualTo(FinishReason.STOP);
  }

  @Test
  void thePolicyIsABuilderOption() {
    try (RaChatModel recycled =
        RaChatModel.builder()
            .engine(model.engine())
            .policy("recycled")
            .budget(16)
            .set("ra.policy.recycled.stride", "3")
            .maxTokens(4)
            .build()) {
      assertThat(recycled.chat(ShippedProbe.NEEDLE_HAYSTACK + ShippedProbe.NEEDLE_QUESTION)).isNotNull();
      assertThatThrownBy(
              () -> RaChatModel.builder().engine(model.engine()).policy("nope").build().chat("x"))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("unknown attention policy 'nope'");
    }
    assertThatThrownBy(() -> RaChatModel.builder().policy("nope").build())
        .hasMessageStartingWith("unknown attention policy 'nope'");
  }

  @Test
  void unsupportedFeaturesAreRefused() {
    ToolSpecification tool =
        ToolSpecification.builder().name("weather").description("the weather").build();
    assertThatThrownBy(
            () ->
                model.chat(
                    ChatRequest.builder()
                        .messages(UserMessage.from("x"))
                        .toolSpecifications(tool)
                        .build()))
        .isInstanceOf(UnsupportedFeatureException.class)
        .hasMessageContaining("tools");
    assertThatThrownBy(
            () ->
                model.chat(
                    ChatRequest.builder()
                        .messages(UserMessage.from("The grass is green. ".repeat(1200)))
                        .build()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("context");
  }

  @Test
  void streamingGivesTheSameTextInPiecesAndCanBeCancelled() throws Exception {
    try (RaStreamingChatModel streaming =
        RaStreamingChatModel.builder().engine(model.engine()).maxTokens(12).build()) {
      String whole = model.chat(ShippedProbe.NEEDLE_HAYSTACK + ShippedProbe.NEEDLE_QUESTION);
      CollectingResponseHandler handler = new CollectingResponseHandler();
      streaming.chat(ShippedProbe.NEEDLE_PROMPT, handler);
      assertThat(handler.await(Duration.ofSeconds(30)).aiMessage().text())
          .isEqualTo(whole)
          .isEqualTo(handler.streamedText());

      CompletableFuture<Integer> cancelled = new CompletableFuture<>();
      int[] count = {0};
      streaming.chat(
          ChatRequest.builder()
              .messages(UserMessage.from(ShippedProbe.NEEDLE_HAYSTACK + ShippedProbe.NEEDLE_QUESTION))
              .maxOutputTokens(3000)
              .build(),
          new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
              if (++count[0] == 2) {
                context.streamingHandle().cancel();
                CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS)
                    .execute(() -> cancelled.complete(count[0]));
              }
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
              cancelled.completeExceptionally(
                  new AssertionError("completed although cancelled: " + response));
            }

            @Override
            public void onError(Throwable error) {
              cancelled.completeExceptionally(error);
            }
          });
      assertThat(cancelled.get(30, TimeUnit.SECONDS)).isEqualTo(2);
    }
  }

  interface StreamingLibrarian {
    TokenStream answer(String question);
  }

  @Test
  void anAiServicesTokenStream() throws Exception {
    try (RaStreamingChatModel streaming =
        RaStreamingChatModel.builder().engine(model.engine()).maxTokens(12).build()) {
      StreamingLibrarian librarian = AiServices.create(StreamingLibrarian.class, streaming);
      CompletableFuture<ChatResponse> done = new CompletableFuture<>();
      StringBuilder pieces = new StringBuilder();
      librarian
          .answer(ShippedProbe.NEEDLE_HAYSTACK + ShippedProbe.NEEDLE_QUESTION)
          .onPartialResponse(pieces::append)
          .onCompleteResponse(done::complete)
          .onError(done::completeExceptionally)
          .start();
      AiMessage answer = done.get(30, TimeUnit.SECONDS).aiMessage();
      assertThat(answer.text()).startsWith(ShippedProbe.NEEDLE_ANSWER).isEqualTo(pieces.toString());
    }
  }

  @Test
  void aSharedEngineIsNotClosedByTheModel() {
    RaChatModel borrowed = RaChatModel.builder().engine(model.engine()).build();
    borrowed.close();
    assertThat(model.chat(List.of(UserMessage.from(ShippedProbe.NEEDLE_HAYSTACK + ShippedProbe.NEEDLE_QUESTION))).aiMessage().text())
        .startsWith(ShippedProbe.NEEDLE_ANSWER);
  }
}
