package org.recycledattention.cli.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.recycledattention.cli.common.Inputs;
import org.recycledattention.cli.common.Subcommand;
import org.recycledattention.cli.common.UsageException;
import org.recycledattention.engine.wiring.Models;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.format.gguf.GgufFile;
import org.recycledattention.model.format.llama2c.Llama2cReader;
import org.recycledattention.model.tokenizer.SentencePieceTokenizer;
import org.recycledattention.model.tokenizer.Tokenizer;
import org.recycledattention.model.tokenizer.Tokenizers;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ra tokenize}: the token ids of a text and what each shows as, like llama.cpp's {@code
 * llama-tokenize} (with {@code --no-escape --no-parse-special}: the text is taken literally and
 * special-token text is plain text, as {@code ra generate} encodes a prompt). Reads only the
 * vocabulary: a GGUF without tensors will do.
 */
@Command(
    name = "tokenize",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Print the token ids of a text and the piece each stands for, as llama.cpp's llama-tokenize does.",
      "Text format: one line per token, the id right-aligned in 6 columns, ' -> ', the piece in single "
          + "quotes (as llama-tokenize prints it; a piece that is not UTF-8 on its own shows its bytes in hex, "
          + "e.g. '<e6 97>', followed by ' (utf-8 decode failure)'). The text is taken literally (no escapes) "
          + "and special-token text is encoded as text, like llama-tokenize --no-escape --no-parse-special."
    },
    footer = {
      "",
      "Exit codes: 0 success, 1 runtime failure, 2 usage error (missing file, no vocabulary, text not UTF-8)."
    })
public final class TokenizeCommand extends Subcommand {
  @Option(
      names = "--model",
      required = true,
      paramLabel = "FILE",
      description =
          "A GGUF file with a vocabulary (weights are not read: a vocabulary-only GGUF will do), a tokenizer.json, "
              + "a Hugging Face model directory with one, or a llama2.c .bin with tokenizer.bin beside it.")
  Path model;

  @ArgGroup(exclusive = true, multiplicity = "1")
  TextSource text;

  /** Exactly one source of text. */
  static final class TextSource {
    @Option(names = "--prompt", paramLabel = "TEXT", description = "The text to tokenize (UTF-8).")
    String prompt;

    @Option(
        names = "--prompt-file",
        paramLabel = "FILE",
        description =
            "Tokenize this file's text, byte for byte (UTF-8; "
                + "a final newline is kept, as llama-tokenize -f does).")
    Path file;
  }

  @Option(
      names = "--no-bos",
      description = "Never add BOS (by default BOS comes first when the vocabulary asks for it).")
  boolean noBos;

  @Option(names = "--ids", description = "Print only the ids, as [1, 2, 3] (llama-tokenize --ids).")
  boolean idsOnly;

  @Option(
      names = "--json",
      description =
          "Print a JSON array of {\"id\", \"piece\"} objects (\"bytes\" too where the piece "
              + "is not UTF-8 on its own).")
  boolean json;

  public TokenizeCommand(Map<String, String> environment) {
    super(environment);
  }

  @Override
  protected int run() {
    if (json && idsOnly) {
      throw new UsageException(
          "--json and --ids are both given; pass one (--json prints ids and pieces, --ids the ids alone)");
    }
    String input = text.prompt != null ? Inputs.checkPromptText(text.prompt) : Inputs.readUtf8File(text.file, "--prompt-file");
    Loaded loaded = load(model);
    Tokenizer tok = loaded.tokenizer();
    int[] ids = tok.encode(input, !noBos && tok.addBosByDefault());
    PrintWriter out = out();
    if (json) {
      out.println(jsonListing(tok, ids));
    } else if (idsOnly) {
      StringBuilder line = new StringBuilder("[");
      for (int i = 0; i < ids.length; i++) {
        line.append(i > 0 ? ", " : "").append(ids[i]);
      }
      out.println(line.append(']'));
    } else {
      for (int id : ids) {
        Piece p = Piece.of(tok.pieceBytes(id));
        out.print(
            String.format("%6d -> '", id)
                + (p.valid() ? p.text() + "'" : p.hex() + "' (utf-8 decode failure)"));
        out.print('\n'); // as llama-tokenize, whatever the platform
      }
    }
    err()
        .println(
            ids.length + (ids.length == 1 ? " token" : " tokens") + "; " + loaded.description());
    return 0;
  }

  /** A JSON array, one object per line. */
  private static String jsonListing(Tokenizer tok, int[] ids) {
    ObjectMapper mapper = new ObjectMapper();
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < ids.length; i++) {
      Piece p = Piece.of(tok.pieceBytes(ids[i]));
      ObjectNode o = mapper.createObjectNode().put("id", ids[i]).put("piece", p.text());
      if (!p.valid()) {
        ArrayNode bytes = o.putArray("bytes");
        for (byte b : p.bytes()) {
          bytes.add(b & 0xFF);
        }
      }
      try {
        sb.append(i > 0 ? ",\n " : "\n ").append(mapper.writeValueAsString(o));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
      }
    }
    return sb.append(ids.length > 0 ? "\n]" : "]").toString();
  }

  /**
   * A piece's bytes, their text (U+FFFD for malformed bytes) and whether they are valid UTF-8 on
   * their own.
   */
  private record Piece(byte[] bytes, String text, boolean valid) {
    static Piece of(byte[] bytes) {
      try {
        return new Piece(bytes, strictUtf8(bytes), true);
      } catch (CharacterCodingException e) {
        return new Piece(bytes, new String(bytes, StandardCharsets.UTF_8), false);
      }
    }

    /** As llama-tokenize prints an undecodable piece on a console: {@code <e6 97>}. */
    String hex() {
      StringBuilder sb = new StringBuilder("<");
      for (int i = 0; i < bytes.length; i++) {
        sb.append(i > 0 ? " " : "").append(String.format("%02x", bytes[i] & 0xFF));
      }
      return sb.append('>').toString();
    }
  }

  private static String strictUtf8(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
  }

  /** A tokenizer and a one-line account of where it came from. */
  record Loaded(Tokenizer tokenizer, String description) {}

  /** The tokenizer of {@code path}, without reading any weights. */
  static Loaded load(Path path) {
    if (!Files.exists(path)) {
      throw new UsageException(
          "model file '"
              + path
              + "' does not exist; pass a GGUF file with a vocabulary (a vocabulary-only one will do) "
              + "or a tokenizer.json to --model");
    }
    if (Files.isDirectory(path)) {
      Path json = path.resolve("tokenizer.json");
      if (!Files.isRegularFile(json)) {
        throw new UsageException(
            "model directory '"
                + path
                + "' has no tokenizer.json; pass a GGUF file or a tokenizer.json to --model");
      }
      return fromTokenizerJson(json);
    }
    if (!Files.isReadable(path)) {
      throw new UsageException("model file '" + path + "' is not readable; check its permissions");
    }
    if (path.getFileName().toString().endsWith(".json")) {
      return fromTokenizerJson(path);
    }
    return switch (Models.loader().detect(path)) {
      case GGUF -> fromGguf(path);
      case LLAMA2C -> fromLlama2c(path);
      case SAFETENSORS -> fromTokenizerJson(path.toAbsolutePath().resolveSibling("tokenizer.json"));
    };
  }

  private static Loaded fromTokenizerJson(Path json) {
    if (!Files.isRegularFile(json)) {
      throw new UsageException(
          "'"
              + json
              + "' does not exist; a safetensors model's vocabulary is its tokenizer.json, which --model may name");
    }
    Tokenizer tok = Tokenizers.fromTokenizerJson(json);
    return new Loaded(
        tok, "tokenizer.json vocabulary of " + tok.vocabSize() + " pieces (" + kind(tok) + ")");
  }

  private static Loaded fromGguf(Path path) {
    try (GgufFile gguf = GgufFile.open(path)) {
      Map<String, Object> metadata = gguf.metadata();
      Object model = metadata.get("tokenizer.ggml.model");
      if (!(model instanceof String m) || m.equals("none") || m.equals("no_vocab")) {
        throw new ModelFormatException(
            path,
            -1,
            "the file holds no vocabulary (tokenizer.ggml.model is "
                + (model == null ? "absent" : "\"" + model + "\"")
                + "); pass a GGUF converted with its tokenizer");
      }
      Tokenizer tok = Tokenizers.fromGgufMetadata(metadata, path);
      String pre =
          m.equals("gpt2")
              ? ", pre-tokenizer "
                  + (metadata.get("tokenizer.ggml.pre") instanceof String p && !p.isEmpty()
                      ? p
                      : "default (tokenizer.ggml.pre is absent)")
              : "";
      return new Loaded(
          tok, "GGUF vocabulary of " + tok.vocabSize() + " pieces (" + kind(tok) + pre + ")");
    }
  }

  private static Loaded fromLlama2c(Path path) {
    Path bin = path.toAbsolutePath().resolveSibling("tokenizer.bin");
    if (!Files.isRegularFile(bin)) {
      throw new UsageException(
          "llama2.c checkpoint '"
              + path
              + "' has no tokenizer.bin beside it; put it there, or pass a GGUF file to --model");
    }
    byte[] head = new byte[Llama2cReader.HEADER_BYTES];
    try (InputStream in = Files.newInputStream(path)) {
      in.readNBytes(head, 0, head.length);
    } catch (IOException e) {
      throw new ModelFormatException(path, -1, "cannot read the file: " + e.getMessage(), e);
    }
    int vocab = Math.abs(Llama2cReader.header(MemorySegment.ofArray(head)).vocabSize());
    Tokenizer tok = Tokenizers.fromLlama2cFile(bin, vocab);
    return new Loaded(
        tok, "llama2.c tokenizer.bin of " + tok.vocabSize() + " pieces (" + kind(tok) + ")");
  }

  private static String kind(Tokenizer tok) {
    return tok instanceof SentencePieceTokenizer ? "SentencePiece" : "byte-level BPE";
  }
}
