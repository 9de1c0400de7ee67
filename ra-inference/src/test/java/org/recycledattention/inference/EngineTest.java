package org.recycledattention.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.AbstractThrowableAssert;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.recycledattention.engine.config.ConfigLayers;
import org.recycledattention.engine.decode.Cancellation;
import org.recycledattention.engine.decode.FinishReason;
import org.recycledattention.engine.wiring.RaRuntime;
import org.recycledattention.inference.chat.ChatMessage;
import org.recycledattention.inference.chat.ChatTemplate;
import org.recycledattention.probe.ShippedProbe;

/**
 * The embedding API on the built-in probe model, which retrieves a number hidden in filler text.
 */
class EngineTest {

  private static Engine engine;

  @BeforeAll
  static void start() {
    engine = Engine.builder().policy("full").threadsPerSequence(1).build();
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @Test
  void theProbeRetrievesTheNeedleAndStreamsTheSameText() {
    List<String> pieces = new ArrayList<>();
    Completion c = engine.complete(CompletionRequest.text(ShippedProbe.NEEDLE_PROMPT).withMaxTokens(12), pieces::add);
    assertThat(c.text()).startsWith(ShippedProbe.NEEDLE_ANSWER);
    assertThat(String.join("", pieces)).isEqualTo(c.text());
    assertThat(c.finishReason()).isIn(FinishReason.STOP_TOKEN, FinishReason.LENGTH);
    assertThat(c.promptTokens())
        .isEqualTo(engine.tokenizer().orElseThrow().encode(ShippedProbe.NEEDLE_PROMPT, true).length);
    assertThat(c.completionTokens()).isEqualTo(c.tokens().length).isPositive();
    assertThat(c.policy()).isEqualTo("full");
    assertThat(engine.modelName()).isEqualTo("probe");
  }

  @Test
  void aStopStringEndsTheTextBeforeIt() {
    Completion c = engine.complete(CompletionRequest.text(ShippedProbe.NEEDLE_PROMPT).withMaxTokens(12).withStop("58"));
    assertThat(c.text()).isEqualTo(" 3690");
    assertThat(c.finishReason()).isEqualTo(FinishReason.STOP_STRING);
  }

  @Test
  void perRequestPoliciesAreValidatedLikeTheCommandLine() {
    Completion r =
        engine.complete(
            CompletionRequest.text(ShippedProbe.NEEDLE_PROMPT)
                .withMaxTokens(4)
                .withPolicy(
                    PolicyOverrides.policy("recycled")
                        .withBudget(16)
                        .with("ra.policy.recycled.stride", "3")));
    assertThat(r.policy()).isEqualTo("recycled");
    assertThat(r.budget()).isEqualTo(16);
    assertThat(r.stats().partialSteps()).isPositive();
    assertRefused(PolicyOverrides.policy("nope"), RequestException.Field.POLICY)
        .hasMessageStartingWith("unknown attention policy 'nope'; available: full, h2o, local, recycled, snapkv");
    assertRefused(PolicyOverrides.NONE.with("ra.policy.recycled.strid", "3"), RequestException.Field.SETTINGS)
        .hasMessageStartingWith("unknown configuration key 'ra.policy.recycled.strid'");
    assertRefused(PolicyOverrides.policy("recycled").withBudget(0), RequestException.Field.BUDGET)
        .hasMessageContaining("ra.budget");
    assertRefused(PolicyOverrides.NONE.with("ra.backend", "onnx"), RequestException.Field.SETTINGS)
        .hasMessageContaining("cannot change per request");
  }

  /** Asserts that preparing a request with {@code policy} fails on {@code field}; the message is the caller's to check. */
  private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(
      PolicyOverrides policy, RequestException.Field field) {
    return assertThatThrownBy(() -> engine.prepare(CompletionRequest.text("x").withPolicy(policy)))
        .isInstanceOfSatisfying(RequestException.class, e -> assertThat(e.field()).isEqualTo(field));
  }

  @Test
  void promptsAndMaxTokensMustFitTheContext() {
    String longText = "The grass is green. ".repeat(1200);
    assertThatThrownBy(() -> engine.prepare(CompletionRequest.text(longText)))
        .isInstanceOfSatisfying(
            RequestException.class,
            e -> assertThat(e.field()).isEqualTo(RequestException.Field.PROMPT))
        .hasMessageContaining("context is 4096 tokens");
    assertThatThrownBy(() -> engine.prepare(CompletionRequest.text(ShippedProbe.NEEDLE_PROMPT).withMaxTokens(4000)))
        .isInstanceOfSatisfying(
            RequestException.class,
            e -> assertThat(e.field()).isEqualTo(RequestException.Field.MAX_TOKENS));
    PreparedCompletion rest = engine.prepare(CompletionRequest.text(ShippedProbe.NEEDLE_PROMPT));
    assertThat(rest.maxTokens()).isEqualTo(4096 - rest.promptTokens());
  }

  @Test
  void aConversationRendersThroughTheTemplateAndGivesTheSameTokensAsItsText() {
    try (Engine chat =
        withTemplate("{% for m in messages %}{% if m['role'] == 'system' %}{{ m['content'] }}\n"
                        + "{% else %}{{ m['content'] | trim }}{% endif %}{% endfor %}")) {
      int split = ShippedProbe.NEEDLE_PROMPT.indexOf('\n');
      List<ChatMessage> messages =
          List.of(
              ChatMessage.system(ShippedProbe.NEEDLE_PROMPT.substring(0, split)),
              ChatMessage.user(ShippedProbe.NEEDLE_PROMPT.substring(split + 1) + "  "));
      assertThat(chat.renderChat(messages)).isEqualTo(ShippedProbe.NEEDLE_PROMPT);
      Completion viaChat = chat.complete(CompletionRequest.chat(messages).withMaxTokens(8));
      Completion viaText = chat.complete(CompletionRequest.text(ShippedProbe.NEEDLE_PROMPT).withMaxTokens(8));
      assertThat(viaChat.tokens()).containsExactly(viaText.tokens());
      assertThat(viaChat.promptTokens()).isEqualTo(viaText.promptTokens());
      assertThat(viaChat.text()).startsWith(ShippedProbe.NEEDLE_ANSWER);
    }
  }

  @Test
  void controlTokenTextInARenderedConversationBecomesThoseTokensAndATemplateBosIsKeptOnce() {
    try (Engine chat =
        withTemplate("{{ bos_token }}{% for m in messages %}{{ m['content'] }}{{ eos_token }}{%"
                        + " endfor %}")) {
      int[] ids =
          chat.encode(
              new Prompt.Chat(List.of(ChatMessage.user("The sky"), ChatMessage.user("is blue"))));
      var t = chat.tokenizer().orElseThrow();
      int[] sky = t.encode("The sky", false);
      int[] blue = t.encode("is blue", false);
      List<Integer> expected = new ArrayList<>(List.of(t.bos()));
      for (int id : sky) {
        expected.add(id);
      }
      expected.add(t.eos());
      for (int id : blue) {
        expected.add(id);
      }
      expected.add(t.eos());
      assertThat(ids).containsExactly(expected.stream().mapToInt(Integer::intValue).toArray());
    }
  }

  @Test
  void withoutAModelTemplateTheFallbackTranscriptIsUsed() {
    assertThat(engine.chatTemplate().isFallback()).isTrue();
    assertThat(engine.renderChat(List.of(ChatMessage.user("hello"))))
        .isEqualTo("user: hello\nassistant:");
    var t = engine.tokenizer().orElseThrow();
    assertThat(engine.encode(new Prompt.Chat(List.of(ChatMessage.user("hello")))))
        .containsExactly(t.encode("user: hello\nassistant:", true));
  }

  @Test
  void cancellingStopsTheCompletion() {
    Cancellation cancel = new Cancellation();
    List<String> pieces = new ArrayList<>();
    Completion c =
        engine.complete(
            CompletionRequest.text(ShippedProbe.NEEDLE_PROMPT).withMaxTokens(50).withIgnoreEos(true),
            piece -> {
              pieces.add(piece);
              cancel.cancel();
            },
            cancel);
    assertThat(c.finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(c.completionTokens()).isLessThan(50);
    assertThat(pieces).hasSize(1);
  }

  @Test
  void aGivenRuntimeIsUsedAndLeftOpen() {
    try (RaRuntime runtime =
        RaRuntime.create(
            Engine.class.getClassLoader(),
            ConfigLayers.defaultsOnly()
                .withCommandLine(
                    List.of(
                        new ConfigLayers.Setting("ra.policy", "snapkv", "--policy"),
                        new ConfigLayers.Setting("ra.budget", "32", "--budget"))))) {
      try (Engine e = Engine.builder().runtime(runtime).threadsPerSequence(1).build()) {
        assertThat(e.policyName()).isEqualTo("snapkv");
        assertThat(e.budget()).isEqualTo(32);
        assertThat(e.complete(CompletionRequest.text(ShippedProbe.NEEDLE_PROMPT).withMaxTokens(2)).policy())
            .isEqualTo("snapkv");
      }
      assertThat(runtime.backend()).isNotNull(); // still open: the engine did not close it
      assertThatThrownBy(() -> Engine.builder().runtime(runtime).policy("full").build())
          .isInstanceOf(IllegalStateException.class);
    }
  }

  /** The probe with full attention, one kernel thread and the chat template {@code template}. */
  private static Engine withTemplate(String template) {
    return Engine.builder()
        .policy("full")
        .threadsPerSequence(1)
        .chatTemplate(ChatTemplate.of(template))
        .build();
  }
}
