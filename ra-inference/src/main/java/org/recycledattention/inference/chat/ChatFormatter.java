package org.recycledattention.inference.chat;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.model.tokenizer.Tokenizer;

/**
 * A conversation to a model's prompt ids: the chat template renders it (with the model's BOS and
 * EOS text and a generation prompt), the text of the vocabulary's control tokens becomes those
 * tokens ({@code <|im_start|>}, {@code <|eot_id|>}, ...), the rest is encoded as usual. A BOS the
 * template writes is kept once; otherwise BOS is added when the model asks for it. What {@code ra
 * generate --chat}, {@code ra serve} and the embedding API all use. Immutable and thread-safe.
 */
public final class ChatFormatter {
  private final Tokenizer tokenizer;
  private final ChatTemplate template;
  private final ChatEncoder encoder;

  public ChatFormatter(Tokenizer tokenizer, ChatTemplate template) {
    this.tokenizer = requireNonNull(tokenizer, "tokenizer is null");
    this.template = requireNonNull(template, "template is null");
    this.encoder = new ChatEncoder(tokenizer);
  }

  /**
   * The formatter for {@code model}: {@code template} when given, else the model's own ({@value
   * ChatTemplate#GGUF_KEY}), else {@link ChatTemplate#fallback()}.
   *
   * @throws IllegalArgumentException when the model has no tokenizer
   * @throws ChatTemplateException when the model's template cannot be used
   */
  public static ChatFormatter forModel(LanguageModel model, ChatTemplate template) {
    Tokenizer t =
        model
            .tokenizer()
            .orElseThrow(() -> new IllegalArgumentException("the model has no tokenizer"));
    ChatTemplate chosen =
        template != null
            ? template
            : ChatTemplate.fromMetadata(model.metadata()).orElseGet(ChatTemplate::fallback);
    return new ChatFormatter(t, chosen);
  }

  public ChatTemplate template() {
    return template;
  }

  /**
   * The prompt text, ending with the generation prompt.
   *
   * @throws ChatTemplateException when the template refuses the messages or cannot render
   */
  public String render(List<ChatMessage> messages) {
    return template.render(messages, true, piece(tokenizer.bos()), piece(tokenizer.eos()));
  }

  /**
   * The prompt ids.
   *
   * @throws ChatTemplateException when the template refuses the messages or cannot render
   */
  public int[] encode(List<ChatMessage> messages) {
    String text = render(messages);
    String bos = piece(tokenizer.bos());
    boolean addBos = tokenizer.addBosByDefault();
    if (!bos.isEmpty() && text.startsWith(bos)) {
      text = text.substring(bos.length());
      addBos = true;
    }
    return encoder.encode(text, addBos);
  }

  private String piece(int id) {
    return id < 0 ? "" : tokenizer.piece(id);
  }
}
