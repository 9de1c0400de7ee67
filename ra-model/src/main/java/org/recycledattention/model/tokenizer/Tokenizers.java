package org.recycledattention.model.tokenizer;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.recycledattention.model.ModelFormatException;

/**
 * Builds tokenizers from the places models keep them: GGUF metadata, llama2.c
 * {@code tokenizer.bin}, Hugging Face {@code tokenizer.json}. Failures are
 * {@link ModelFormatException}s naming the file (or metadata key) and what was expected.
 */
public final class Tokenizers {
  /** Control pieces that end a turn in common chat vocabularies (llama.cpp treats them as end-of-generation). */
  static final Set<String> END_OF_TURN_PIECES = Set.of("<|eot_id|>", "<|eom_id|>", "<|im_end|>", "<|end|>", "<|endoftext|>", "<|end_of_text|>", "</s>");

  private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private Tokenizers() {}

  /** As {@link #fromGgufMetadata(Map, Path)} with a placeholder file name in messages. */
  public static Tokenizer fromGgufMetadata(Map<String, Object> metadata) {
    return fromGgufMetadata(metadata, Path.of("<gguf metadata>"));
  }

  /**
   * The tokenizer described by GGUF metadata: {@code tokenizer.ggml.model} "llama" gives a
   * {@link SentencePieceTokenizer} (tokens, scores, token_type, add_space_prefix; {@code pre} is ignored, as
   * llama.cpp does), "gpt2" a {@link ByteLevelBpeTokenizer} (tokens, merges, token_type, pre: see
   * {@link LlamaPreTokenizer}). Also read: bos_token_id,
   * eos_token_id, eot_token_id, eom_token_id, unknown_token_id, add_bos_token.
   *
   * <p>Values may be any of the shapes a GGUF reader naturally produces: {@code List}, object or
   * primitive arrays; numbers of any width.
   *
   * @param file the GGUF file, for messages
   * @throws ModelFormatException when a key is missing, has the wrong type, or the arrays disagree, or
   *     {@code tokenizer.ggml.pre} names no pre-tokenizer llama.cpp knows
   */
  public static Tokenizer fromGgufMetadata(Map<String, Object> metadata, Path file) {
    requireNonNull(metadata, "metadata is null");
    requireNonNull(file, "file is null");
    GgufValues v = new GgufValues(metadata, file);
    String model = v.string("tokenizer.ggml.model");
    List<String> tokens = v.strings("tokenizer.ggml.tokens");
    int n = tokens.size();
    if (n == 0) {
      throw new ModelFormatException(file, -1, "tokenizer.ggml.tokens is empty; expected the vocabulary");
    }
    TokenType[] types = new TokenType[n];
    if (metadata.containsKey("tokenizer.ggml.token_type")) {
      int[] codes = v.ints("tokenizer.ggml.token_type");
      if (codes.length != n) {
        throw new ModelFormatException(file, -1, "tokenizer.ggml.token_type has " + codes.length + " entries, expected one per token (" + n + ")");
      }
      for (int i = 0; i < n; i++) {
        types[i] = TokenType.fromGguf(codes[i]);
      }
    } else {
      // No types stored: byte-fallback pieces are recognised by their spelling, the rest is text.
      for (int i = 0; i < n; i++) {
        types[i] = model.equals("llama") && SentencePieceTokenizer.parseBytePiece(tokens.get(i)) >= 0 ? TokenType.BYTE : TokenType.NORMAL;
      }
    }
    int bos = v.optionalId("tokenizer.ggml.bos_token_id", n);
    int eos = v.optionalId("tokenizer.ggml.eos_token_id", n);
    if (!metadata.containsKey("tokenizer.ggml.token_type")) {
      for (int special : new int[] {bos, eos}) {
        if (special >= 0) {
          types[special] = TokenType.CONTROL; // without types, BOS/EOS must still decode to ""
        }
      }
    }
    Set<Integer> stops = new LinkedHashSet<>();
    if (eos >= 0) {
      stops.add(eos);
    }
    for (String key : List.of("tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id")) {
      int id = v.optionalId(key, n);
      if (id >= 0) {
        stops.add(id);
      }
    }
    for (int i = 0; i < n; i++) {
      if (types[i] == TokenType.CONTROL && END_OF_TURN_PIECES.contains(tokens.get(i))) {
        stops.add(i);
      }
    }
    int[] stopTokens = stops.stream().mapToInt(Integer::intValue).toArray();
    switch (model) {
      case "llama" -> {
        float[] scores;
        if (metadata.containsKey("tokenizer.ggml.scores")) {
          scores = v.floats("tokenizer.ggml.scores");
          if (scores.length != n) {
            throw new ModelFormatException(file, -1, "tokenizer.ggml.scores has " + scores.length + " entries, expected one per token (" + n + ")");
          }
        } else {
          scores = new float[n];
        }
        int unk = v.optionalId("tokenizer.ggml.unknown_token_id", n);
        if (unk >= 0 && types[unk] == TokenType.NORMAL) {
          types[unk] = TokenType.UNKNOWN;
        }
        boolean addBos = v.bool("tokenizer.ggml.add_bos_token", true);
        boolean addSpacePrefix = v.bool("tokenizer.ggml.add_space_prefix", true);
        return new SentencePieceTokenizer(tokens, scores, types, bos, eos, stopTokens, addBos, addSpacePrefix, SentencePieceTokenizer.SPM_SPACE);
      }
      case "gpt2" -> {
        List<String> mergeLines = v.strings("tokenizer.ggml.merges");
        List<String[]> merges = new ArrayList<>(mergeLines.size());
        for (int i = 0; i < mergeLines.size(); i++) {
          String line = mergeLines.get(i);
          int space = line.indexOf(' ', 1);
          if (space < 0) {
            throw new ModelFormatException(file, -1, "tokenizer.ggml.merges[" + i + "] is \"" + line + "\", expected two pieces separated by a space");
          }
          merges.add(new String[] {line.substring(0, space), line.substring(space + 1)});
        }
        LlamaPreTokenizer pre = preTokenizer(v, file);
        boolean addBos = v.bool("tokenizer.ggml.add_bos_token", pre.addsBosByDefault());
        return new ByteLevelBpeTokenizer(tokens, types, merges, pre, pre.ignoresMerges(), false, bos, eos, stopTokens,
            addBos);
      }
      default -> throw new ModelFormatException(file, -1,
          "tokenizer.ggml.model is \"" + model + "\"; supported: llama (SentencePiece), gpt2 (byte-level BPE)");
    }
  }

  /**
   * The pre-tokenizer {@code tokenizer.ggml.pre} names, as llama.cpp picks it: absent or "" is
   * {@link LlamaPreTokenizer#DEFAULT}; a name llama.cpp does not know is an error.
   */
  private static LlamaPreTokenizer preTokenizer(GgufValues v, Path file) {
    String pre = v.metadata().containsKey("tokenizer.ggml.pre") ? v.string("tokenizer.ggml.pre") : null;
    return LlamaPreTokenizer.forName(pre).orElseThrow(() -> new ModelFormatException(file, -1,
        "tokenizer.ggml.pre is \"" + pre + "\", a pre-tokenizer this engine does not know (nor does llama.cpp at the "
            + "commit it follows); supported: " + LlamaPreTokenizer.supportedNames()));
  }

  /**
   * A llama2.c {@code tokenizer.bin}: int32 max_token_length, then per token a float32 score, an
   * int32 byte length and the bytes (little-endian). Pieces spell spaces as plain spaces; ids 0, 1,
   * 2 are {@code <unk>}, BOS, EOS; {@code <0xNN>} pieces are byte fallbacks; a space is prepended
   * to the text before encoding (llama2.c's dummy prefix).
   *
   * @param vocabSize tokens to read (the checkpoint's vocab_size)
   * @throws ModelFormatException when the file is shorter than its lengths claim, or unreadable
   */
  public static SentencePieceTokenizer fromLlama2cFile(Path file, int vocabSize) {
    requireNonNull(file, "file is null");
    if (vocabSize < 1) {
      throw new IllegalArgumentException("vocabSize must be >= 1, got " + vocabSize);
    }
    List<String> pieces = new ArrayList<>(Math.min(vocabSize, 1 << 16));
    float[] scores;
    TokenType[] types;
    // Mapped, not read: only the pieces themselves reach the heap, whatever the file's size.
    try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 4) {
        throw new ModelFormatException(file, 0, "file has " + size + " bytes, expected a llama2.c tokenizer (int32 max_token_length first)");
      }
      // Each token needs at least 8 bytes (score + length): reject a vocabSize the file cannot hold before reading.
      if ((size - 4) / 8 < vocabSize) {
        throw new ModelFormatException(file, size, "file of " + size + " bytes cannot hold " + vocabSize
            + " tokens (8 bytes each at least); is it the tokenizer for this model?");
      }
      scores = new float[vocabSize]; // vocabSize <= size / 8: bounded by the file
      types = new TokenType[vocabSize];
      MemorySegment data = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      int maxTokenLength = data.get(LE_INT, 0);
      if (maxTokenLength < 1) {
        throw new ModelFormatException(file, 0, "max_token_length is " + maxTokenLength + ", expected >= 1");
      }
      long pos = 4;
      for (int id = 0; id < vocabSize; id++) {
        if (size - pos < 8) {
          throw new ModelFormatException(file, pos, "file ends in token " + id + " of " + vocabSize + "; expected a float32 score and an int32 length");
        }
        scores[id] = data.get(LE_FLOAT, pos);
        int len = data.get(LE_INT, pos + 4);
        long remaining = size - pos - 8;
        if (len < 0 || len > remaining) {
          throw new ModelFormatException(file, pos + 4, "token " + id + " claims " + len + " bytes but " + remaining + " remain in the file");
        }
        String piece = new String(data.asSlice(pos + 8, len).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        pos += 8 + len;
        pieces.add(piece);
        if (SentencePieceTokenizer.parseBytePiece(piece) >= 0) {
          types[id] = TokenType.BYTE;
        } else if (id == 0 && piece.equals("<unk>")) {
          types[id] = TokenType.UNKNOWN;
        } else if ((id == 1 || id == 2) && (piece.equals("<s>") || piece.equals("</s>"))) {
          types[id] = TokenType.CONTROL;
        } else {
          types[id] = TokenType.NORMAL;
        }
      }
    } catch (IOException e) {
      throw new ModelFormatException(file, -1, "cannot read the llama2.c tokenizer: " + e.getMessage(), e);
    }
    int bos = vocabSize > 1 ? 1 : -1;
    int eos = vocabSize > 2 ? 2 : -1;
    return new SentencePieceTokenizer(pieces, scores, types, bos, eos, eos >= 0 ? new int[] {eos} : new int[0], true, true, ' ');
  }

  /**
   * A Hugging Face {@code tokenizer.json}; BOS/EOS come from {@code tokenizer_config.json} in the
   * same directory when present. Byte-level BPE files (GPT-2, Llama 3, Qwen2) give a
   * {@link ByteLevelBpeTokenizer}; SentencePiece-converted BPE files ({@code byte_fallback}, a
   * {@code '▁'} normalizer: Llama 2, Mistral, TinyLlama) give a {@link SentencePieceTokenizer}.
   *
   * @throws ModelFormatException for other tokenizer models or malformed JSON
   */
  public static Tokenizer fromTokenizerJson(Path file) {
    requireNonNull(file, "file is null");
    return TokenizerJson.read(file);
  }

  /** Reads typed values out of a GGUF metadata map, failing with the key's name. */
  private record GgufValues(Map<String, Object> metadata, Path file) {
    Object required(String key) {
      Object v = metadata.get(key);
      if (v == null) {
        throw new ModelFormatException(file, -1, "metadata key " + key + " is missing; expected it in a GGUF with a tokenizer");
      }
      return v;
    }

    String string(String key) {
      Object v = required(key);
      if (v instanceof String s) {
        return s;
      }
      throw wrongType(key, v, "a string");
    }

    boolean bool(String key, boolean fallback) {
      Object v = metadata.get(key);
      if (v == null) {
        return fallback;
      }
      if (v instanceof Boolean b) {
        return b;
      }
      if (v instanceof Number num) {
        return num.longValue() != 0;
      }
      throw wrongType(key, v, "a boolean");
    }

    int optionalId(String key, int vocabSize) {
      Object v = metadata.get(key);
      if (v == null) {
        return -1;
      }
      if (!(v instanceof Number num)) {
        throw wrongType(key, v, "an integer token id");
      }
      long id = num.longValue();
      if (id < 0 || id >= vocabSize) {
        // llama.cpp tolerates out-of-range special ids (some conversions write -1 or vocab size); treat as absent.
        return -1;
      }
      return (int) id;
    }

    List<String> strings(String key) {
      Object v = required(key);
      List<Object> items = elements(key, v);
      List<String> out = new ArrayList<>(items.size());
      for (Object o : items) {
        if (!(o instanceof String s)) {
          throw wrongType(key, o, "an array of strings");
        }
        out.add(s);
      }
      return out;
    }

    float[] floats(String key) {
      Object v = required(key);
      if (v instanceof float[] f) {
        return f.clone();
      }
      List<Object> items = elements(key, v);
      float[] out = new float[items.size()];
      for (int i = 0; i < out.length; i++) {
        if (!(items.get(i) instanceof Number num)) {
          throw wrongType(key, items.get(i), "an array of numbers");
        }
        out[i] = num.floatValue();
      }
      return out;
    }

    int[] ints(String key) {
      Object v = required(key);
      if (v instanceof int[] a) {
        return a.clone();
      }
      List<Object> items = elements(key, v);
      int[] out = new int[items.size()];
      for (int i = 0; i < out.length; i++) {
        if (!(items.get(i) instanceof Number num)) {
          throw wrongType(key, items.get(i), "an array of integers");
        }
        out[i] = num.intValue();
      }
      return out;
    }

    private List<Object> elements(String key, Object v) {
      List<Object> out = new ArrayList<>();
      switch (v) {
        case List<?> list -> out.addAll(list);
        case Object[] a -> out.addAll(Arrays.asList(a));
        case int[] a -> Arrays.stream(a).forEach(out::add);
        case long[] a -> Arrays.stream(a).forEach(out::add);
        case double[] a -> Arrays.stream(a).forEach(out::add);
        case float[] a -> {
          for (float f : a) {
            out.add(f);
          }
        }
        case short[] a -> {
          for (short x : a) {
            out.add(x);
          }
        }
        case byte[] a -> {
          for (byte x : a) {
            out.add(x);
          }
        }
        default -> throw wrongType(key, v, "an array");
      }
      return out;
    }

    private ModelFormatException wrongType(String key, Object v, String expected) {
      return new ModelFormatException(file, -1, "metadata key " + key + " holds " + (v == null ? "null" : v.getClass().getSimpleName()) + ", expected " + expected);
    }
  }
}
