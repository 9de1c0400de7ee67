package org.recycledattention.inference;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.recycledattention.inference.chat.ChatMessage;

/**
 * What a completion continues: plain text, a conversation (rendered by the model's chat template),
 * or token ids.
 */
public sealed interface Prompt {
  /** Text, encoded with the model's tokenizer (BOS added when the model asks for it). */
  record Text(String text) implements Prompt {
    public Text {
      requireNonNull(text, "text is null");
    }
  }

  /** A conversation, rendered with the engine's chat template and a generation prompt. */
  record Chat(List<ChatMessage> messages) implements Prompt {
    public Chat {
      messages = List.copyOf(messages);
    }
  }

  /** Token ids, used as given. */
  record Ids(int[] ids) implements Prompt {
    public Ids {
      ids = ids.clone();
    }

    @Override
    public int[] ids() {
      return ids.clone();
    }
  }
}
