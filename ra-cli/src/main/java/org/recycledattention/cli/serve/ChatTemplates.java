package org.recycledattention.cli.serve;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.recycledattention.cli.common.UsageException;
import org.recycledattention.inference.chat.ChatTemplate;
import org.recycledattention.inference.chat.ChatTemplateException;

/** {@code --chat-template FILE}, shared by {@code ra serve} and {@code ra generate}. */
public final class ChatTemplates {
  /** Templates are small; a larger file is refused rather than read. */
  private static final long MAX_BYTES = 1 << 20;

  private ChatTemplates() {}

  /**
   * Reads and checks a template file.
   *
   * @throws UsageException when the file is missing, too large, not UTF-8 or not a usable template
   */
  public static ChatTemplate read(Path file) {
    try {
      if (!Files.isRegularFile(file)) {
        throw new UsageException(
            "chat template '"
                + file
                + "' does not exist or is not a file; pass a Jinja template file to"
                + " --chat-template");
      }
      if (Files.size(file) > MAX_BYTES) {
        throw new UsageException(
            "chat template '"
                + file
                + "' is over 1 MiB; pass a Jinja chat template to --chat-template");
      }
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
              .toString();
      return ChatTemplate.of(text);
    } catch (CharacterCodingException e) {
      throw new UsageException("chat template '" + file + "' is not valid UTF-8; save it as UTF-8");
    } catch (IOException e) {
      throw new UsageException("cannot read chat template '" + file + "': " + e.getMessage());
    } catch (ChatTemplateException e) {
      throw new UsageException("chat template '" + file + "': " + e.getMessage());
    }
  }
}
