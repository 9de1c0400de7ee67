package org.recycledattention.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.inference.chat.ChatMessage;
import org.recycledattention.model.format.gguf.writer.GgufModelWriter;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.tensor.GgmlType;
import org.recycledattention.model.testing.RandomModels;
import org.recycledattention.model.tokenizer.SentencePieceTokenizer;
import org.recycledattention.model.tokenizer.TokenType;
import org.recycledattention.model.tokenizer.Tokenizer;

/**
 * A GGUF that carries {@code tokenizer.chat_template}: the engine renders it and parses its control
 * tokens.
 */
class GgufChatTemplateTest {
  static final String CHATML =
      "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n"
          + "' + m['content'] + '<|im_end|>' + '\\n"
          + "' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n"
          + "' }}{% endif %}";

  @TempDir Path tmp;

  /** 40 pieces (the random model's vocabulary): controls, letters, the newline, some words. */
  private static Tokenizer tokenizer() {
    List<String> pieces =
        new ArrayList<>(
            List.of("<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>", "\n", "\u2581"));
    for (char c : "userasitnhHyo".toCharArray()) {
      pieces.add(String.valueOf(c));
    }
    pieces.addAll(
        List.of(
            "us",
            "use",
            "user",
            "as",
            "ass",
            "assi",
            "assis",
            "assist",
            "assista",
            "assistan",
            "assistant",
            "\u2581Hi",
            "Hi"));
    while (pieces.size() < 40) {
      pieces.add("w" + pieces.size());
    }
    TokenType[] types = new TokenType[pieces.size()];
    for (int i = 0; i < types.length; i++) {
      types[i] = i == 0 ? TokenType.UNKNOWN : i < 5 ? TokenType.CONTROL : TokenType.NORMAL;
    }
    float[] scores = new float[pieces.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = pieces.get(i).length();
    }
    return new SentencePieceTokenizer(
        pieces, scores, types, 1, 2, new int[] {2}, true, true, SentencePieceTokenizer.SPM_SPACE);
  }

  @Test
  void theModelsTemplateIsRenderedAndItsControlTokensBecomeTokens() {
    Path file = tmp.resolve("chatml.gguf");
    Tokenizer t = tokenizer();
    try (LlamaModel m = RandomModels.random(RandomModels.smallConfig(), 7)) {
      GgufModelWriter.toWriter(m.config(), m.weights(), t, GgmlType.F32)
          .putString("tokenizer.chat_template", CHATML)
          .write(file);
    }
    try (Engine engine =
        Engine.builder().model(file).policy("full").threadsPerSequence(1).build()) {
      assertThat(engine.chatTemplate().isFallback()).isFalse();
      assertThat(engine.chatTemplate().source()).isEqualTo(CHATML);
      List<ChatMessage> chat = List.of(ChatMessage.user("Hi"));
      assertThat(engine.renderChat(chat))
          .isEqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
      int start = t.find("<|im_start|>").orElseThrow();
      int end = t.find("<|im_end|>").orElseThrow();
      List<Integer> expected = new ArrayList<>(List.of(t.bos(), start));
      IntStream.of(t.encode("user\nHi", false)).forEach(expected::add);
      expected.add(end);
      IntStream.of(t.encode("\n", false)).forEach(expected::add);
      expected.add(start);
      IntStream.of(t.encode("assistant\n", false)).forEach(expected::add);
      assertThat(engine.encode(new Prompt.Chat(chat)))
          .containsExactly(expected.stream().mapToInt(Integer::intValue).toArray());
      // a chat generates: the template's prompt runs through the model
      Completion c =
          engine.complete(CompletionRequest.chat(chat).withMaxTokens(3).withIgnoreEos(true));
      assertThat(c.promptTokens()).isEqualTo(expected.size());
      assertThat(c.completionTokens()).isEqualTo(3);
    }
  }
}
