package org.recycledattention.cli.common;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Checks of command-line inputs that several commands take. Every failure is a {@link UsageException} (exit 2). */
public final class Inputs {
  private Inputs() {}

  /**
   * Checks a {@code --model} path before anything is loaded: it exists, is a regular file or a
   * directory (a FIFO or device is never opened: reading it would block or never end), is readable,
   * and a directory holds {@code config.json}.
   *
   * @throws UsageException naming the path and what to pass instead
   */
  public static void checkModelPath(Path model) {
    if (!Files.exists(model)) {
      throw new UsageException("model file '" + model + "' does not exist; pass a .gguf file, a llama2.c .bin or a safetensors directory to --model");
    }
    if (!Files.isRegularFile(model) && !Files.isDirectory(model)) {
      throw new UsageException("model path '" + model + "' is not a regular file (a FIFO, socket or device); pass a .gguf file, a llama2.c .bin"
          + " or a safetensors directory to --model");
    }
    if (Files.isDirectory(model) && !Files.isRegularFile(model.resolve("config.json"))) {
      throw new UsageException("model path '" + model + "' is a directory without config.json; pass a .gguf or llama2.c .bin file, "
          + "or a Hugging Face safetensors directory (config.json, *.safetensors)");
    }
    if (!Files.isReadable(model)) {
      throw new UsageException("model file '" + model + "' is not readable; check its permissions");
    }
  }

  /**
   * The files loading {@code model} may read: the model file or directory, and the files a loader
   * looks for beside a model file (tokenizer.bin, config.json, tokenizer.json). Output paths are
   * checked against them.
   */
  public static List<Path> modelFiles(Path model) {
    List<Path> out = new ArrayList<>(List.of(model));
    Path dir = Files.isDirectory(model) ? null : model.toAbsolutePath().getParent();
    if (dir != null) {
      for (String beside : List.of("tokenizer.bin", "config.json", "tokenizer.json", "model.safetensors.index.json")) {
        out.add(dir.resolve(beside));
      }
    }
    return out;
  }

  /**
   * Checks {@code --prompt} text: the JVM turns command-line bytes that are not valid UTF-8 (or not
   * valid in the locale's encoding) into U+FFFD, so text holding it is refused, as {@code
   * --prompt-file} refuses a file that is not UTF-8.
   */
  public static String checkPromptText(String text) {
    if (text.indexOf('\uFFFD') >= 0) {
      throw new UsageException("--prompt holds U+FFFD, which is what command-line bytes that are not valid UTF-8 (or not valid in the locale's"
          + " encoding, here " + System.getProperty("sun.jnu.encoding") + ") become; pass the prompt in a UTF-8 file with --prompt-file, or run"
          + " in a UTF-8 locale (e.g. LC_ALL=C.UTF-8)");
    }
    return text;
  }

  /**
   * The bytes of the text file given to {@code flag} as UTF-8 text, exactly (nothing trimmed). A
   * path that is missing or not a regular file (a FIFO would block), an unreadable file and bytes
   * that are not UTF-8 (named by their offset) are refused.
   */
  public static String readUtf8File(Path file, String flag) {
    if (!Files.isRegularFile(file)) {
      throw new UsageException("prompt file '" + file + "' " + (Files.exists(file) ? "is not a regular file" : "does not exist")
          + "; pass a UTF-8 text file to " + flag);
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UsageException("cannot read prompt file '" + file + "': " + e.getMessage() + "; check that it is readable");
    }
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer chars = CharBuffer.allocate(bytes.length);
    if (decoder.decode(in, chars, true).isError() || decoder.flush(chars).isError()) {
      throw new UsageException("prompt file '" + file + "' is not valid UTF-8 (at byte " + in.position() + "); save it as UTF-8");
    }
    return chars.flip().toString();
  }

  /** Parses {@code --prompt-ids}: comma-separated non-negative integers. */
  public static int[] parseIds(String text) {
    String[] parts = text.split(",", -1);
    int[] ids = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i].strip();
      try {
        ids[i] = Integer.parseInt(p);
      } catch (NumberFormatException e) {
        ids[i] = -1;
      }
      if (ids[i] < 0) {
        throw new UsageException(text.isBlank() ? "--prompt-ids is empty; expected comma-separated token ids such as 1,2,3"
            : "malformed --prompt-ids '" + text + "': '" + p + "' is not a token id; expected comma-separated non-negative integers such as 1,2,3");
      }
    }
    return ids;
  }
}
