package org.recycledattention.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.recycledattention.engine.decode.SamplingConfig;
import org.recycledattention.inference.Completion;
import org.recycledattention.inference.CompletionRequest;
import org.recycledattention.inference.RequestException;
import org.recycledattention.inference.chat.ChatMessage;
import org.recycledattention.inference.chat.ChatTemplateException;

/** langchain4j requests to engine requests and engine completions to langchain4j responses. */
final class Conversations {
  private Conversations() {}

  /**
   * The engine request for a langchain4j chat request whose parameters already include the model's
   * defaults.
   *
   * @throws UnsupportedFeatureException for tools, JSON response formats, penalties, images
   */
  static CompletionRequest request(ChatRequest request, RaModelOptions options) {
    ChatRequestParameters p = request.parameters();
    if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
      throw new UnsupportedFeatureException(
          "tools (function calling) are not supported by the Recycled Attention engine");
    }
    ResponseFormat format = p.responseFormat();
    if (format != null && format.type() != ResponseFormatType.TEXT) {
      throw new UnsupportedFeatureException(
          "only text responses are supported by the Recycled Attention engine, not "
              + format.type());
    }
    for (Double penalty : new Double[] {p.frequencyPenalty(), p.presencePenalty()}) {
      if (penalty != null && penalty != 0) {
        throw new UnsupportedFeatureException(
            "frequency and presence penalties are not supported by the Recycled Attention engine");
      }
    }
    List<ChatMessage> messages = new ArrayList<>();
    for (dev.langchain4j.data.message.ChatMessage m : request.messages()) {
      messages.add(
          switch (m) {
            case SystemMessage s -> ChatMessage.system(s.text());
            case UserMessage u -> ChatMessage.user(text(u));
            case AiMessage a -> {
              if (a.hasToolExecutionRequests()) {
                throw new UnsupportedFeatureException(
                    "tool execution requests are not supported by the Recycled Attention engine");
              }
              yield ChatMessage.assistant(a.text() == null ? "" : a.text());
            }
            case ToolExecutionResultMessage t -> new ChatMessage("tool", t.text());
            default ->
                throw new UnsupportedFeatureException(
                    "messages of type "
                        + m.type()
                        + " are not supported by the Recycled Attention engine");
          });
    }
    double temperature = p.temperature() == null ? 0 : p.temperature();
    long seed = options.seed() != null ? options.seed() : ThreadLocalRandom.current().nextLong();
    SamplingConfig sampling;
    try {
      sampling =
          new SamplingConfig(
              temperature, p.topK() == null ? 0 : p.topK(), p.topP() == null ? 1 : p.topP(), seed);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(e.getMessage());
    }
    try {
      return CompletionRequest.chat(messages)
          .withMaxTokens(p.maxOutputTokens() == null ? 0 : p.maxOutputTokens())
          .withSampling(sampling)
          .withStop(p.stopSequences() == null ? List.of() : p.stopSequences())
          .withPolicy(options.overrides());
    } catch (RequestException e) {
      throw new InvalidRequestException(e.getMessage(), e);
    }
  }

  private static String text(UserMessage u) {
    StringBuilder b = new StringBuilder();
    for (Content c : u.contents()) {
      if (!(c instanceof TextContent t)) {
        throw new UnsupportedFeatureException(
            "user message content of type "
                + c.type()
                + " is not supported by the Recycled Attention engine");
      }
      b.append(t.text());
    }
    return b.toString();
  }

  static ChatResponse response(Completion c, String modelName) {
    return ChatResponse.builder()
        .aiMessage(AiMessage.from(c.text()))
        .modelName(modelName)
        .tokenUsage(new TokenUsage(c.promptTokens(), c.completionTokens()))
        .finishReason(
            switch (c.finishReason()) {
              case LENGTH -> FinishReason.LENGTH;
              case STOP_TOKEN, STOP_STRING -> FinishReason.STOP;
              case CANCELLED -> FinishReason.OTHER;
            })
        .build();
  }

  /**
   * Engine failures caused by the request, as langchain4j's exception for them; others unchanged.
   */
  static RuntimeException translate(RuntimeException e) {
    if (e instanceof RequestException || e instanceof ChatTemplateException t && t.rejected()) {
      return new InvalidRequestException(e.getMessage(), e);
    }
    return e;
  }
}
