package org.recycledattention.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.model.ModelFormatException;

class TokenizersTest {
  static final Path FIXTURES = Path.of(System.getProperty("ra.fixtures", "../shared/fixtures"));

  @TempDir Path dir;

  static Path tok512() {
    Path p = FIXTURES.resolve("stories260K/tok512-ids.bin");
    assumeThat(Files.isRegularFile(p)).as("fixture %s is absent (set -Dra.fixtures)", p).isTrue();
    return p;
  }

  @Test
  void readsTheStories260kDummyVocabulary() {
    SentencePieceTokenizer tok = Tokenizers.fromLlama2cFile(tok512(), 512);
    assertThat(tok.vocabSize()).isEqualTo(512);
    assertThat(tok.bos()).isEqualTo(1);
    assertThat(tok.eos()).isEqualTo(2);
    assertThat(tok.piece(3)).isEqualTo("<0x00>");
    assertThat(tok.piece(300)).isEqualTo(" t300");
    assertThat(tok.score(300)).isEqualTo(-300f);
    assertThat(tok.tokenType(3 + 'A')).isEqualTo(TokenType.BYTE);
    assertThat(tok.tokenType(1)).isEqualTo(TokenType.CONTROL);
    // decode takes ids as a whole text (the first piece's leading space is the dummy prefix);
    // the streaming decoder continues a text and keeps it unless BOS came first (as llama2.c prints).
    assertThat(tok.decode(new int[] {300})).isEqualTo("t300");
    Tokenizer.StreamingDecoder d = tok.newDecoder();
    assertThat(d.next(300)).isEqualTo(" t300");
    assertThat(d.next(301)).isEqualTo(" t301");
    assertThat(tok.decode(new int[] {1, 300, 301, 302, 400, 450})).isEqualTo("t300 t301 t302 t400 t450");
    assertThat(tok.decode(new int[] {3 + 'h', 3 + 'i', 3 + '\n'})).isEqualTo("hi\n");
  }

  @Test
  void encodingTheDummyVocabularyFallsBackToBytes() {
    SentencePieceTokenizer tok = Tokenizers.fromLlama2cFile(tok512(), 512);
    // The only multi-character pieces are " tNNN" (5 characters); BPE only merges a pair whose
    // concatenation is a piece, and no 2-character piece exists, so nothing ever merges: every
    // character of "  t300 t301" (dummy prefix + text) becomes its byte token 3 + b.
    int[] ids = tok.encode(" t300 t301", true);
    byte[] text = "  t300 t301".getBytes(StandardCharsets.US_ASCII);
    int[] expected = new int[text.length + 1];
    expected[0] = 1;
    for (int i = 0; i < text.length; i++) {
      expected[i + 1] = 3 + text[i];
    }
    assertThat(ids).containsExactly(expected);
    assertThat(tok.decode(ids)).isEqualTo(" t300 t301");
    assertThat(tok.decode(tok.encode("Once upon a time, 😀", true))).isEqualTo("Once upon a time, 😀");
  }

  static void writeLlama2c(Path file, int maxLen, List<Object[]> tokens) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(maxLen);
    for (Object[] t : tokens) {
      b.putFloat((Float) t[0]);
      byte[] bytes = ((String) t[1]).getBytes(StandardCharsets.UTF_8);
      b.putInt(t.length > 2 ? (Integer) t[2] : bytes.length);
      b.put(bytes);
    }
    Files.write(file, java.util.Arrays.copyOf(b.array(), b.position()));
  }

  @Test
  void llama2cFilesAreCheckedAgainstTheirSize() throws IOException {
    Path file = dir.resolve("tokenizer.bin");
    writeLlama2c(file, 4, List.of(new Object[] {0f, "<unk>"}, new Object[] {0f, "<s>"}, new Object[] {0f, "</s>"}, new Object[] {-1f, " a"}));
    assertThat(Tokenizers.fromLlama2cFile(file, 4).piece(3)).isEqualTo(" a");
    // More tokens than the file can hold: refused before reading anything.
    assertThatThrownBy(() -> Tokenizers.fromLlama2cFile(file, 1_000_000_000))
        .isInstanceOf(ModelFormatException.class).hasMessageContaining("cannot hold 1000000000 tokens");
    // A length that runs past the end of the file: refused with the offset of the length field.
    writeLlama2c(file, 4, List.of(new Object[] {0f, "<unk>"}, new Object[] {0f, "<s>", Integer.MAX_VALUE}, new Object[] {0f, "</s>"}));
    assertThatThrownBy(() -> Tokenizers.fromLlama2cFile(file, 3))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("token 1 claims 2147483647 bytes")
        .satisfies(e -> assertThat(((ModelFormatException) e).offset()).isEqualTo(4 + 8 + 5 + 4));
    writeLlama2c(file, 4, List.of(new Object[] {0f, "<unk>"}, new Object[] {0f, "<s>", -5}));
    assertThatThrownBy(() -> Tokenizers.fromLlama2cFile(file, 2)).isInstanceOf(ModelFormatException.class).hasMessageContaining("claims -5 bytes");
    writeLlama2c(file, 4, List.of(new Object[] {0f, "<unk>"}, new Object[] {0f, "<s>"}));
    assertThatThrownBy(() -> Tokenizers.fromLlama2cFile(file, 3))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("file ends in token 2 of 3")
        .satisfies(e -> assertThat(((ModelFormatException) e).offset()).isEqualTo(4 + 8 + 5 + 8 + 3));
    Files.write(file, new byte[2]);
    assertThatThrownBy(() -> Tokenizers.fromLlama2cFile(file, 1)).isInstanceOf(ModelFormatException.class).hasMessageContaining("2 bytes");
  }

  static Map<String, Object> spmMetadata() {
    SentencePieceTokenizerTest.Vocab v = SentencePieceTokenizerTest.helloWorld();
    Map<String, Object> m = new HashMap<>();
    m.put("tokenizer.ggml.model", "llama");
    m.put("tokenizer.ggml.tokens", List.copyOf(v.pieces));
    float[] scores = new float[v.scores.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = v.scores.get(i);
    }
    m.put("tokenizer.ggml.scores", scores);
    m.put("tokenizer.ggml.token_type", v.types.stream().mapToInt(TokenType::ggufCode).toArray());
    m.put("tokenizer.ggml.bos_token_id", 1L);
    m.put("tokenizer.ggml.eos_token_id", 2);
    return m;
  }

  @Test
  void buildsSentencePieceFromGgufMetadata() {
    Tokenizer tok = Tokenizers.fromGgufMetadata(spmMetadata());
    SentencePieceTokenizer direct = SentencePieceTokenizerTest.helloWorld().build();
    assertThat(tok).isInstanceOf(SentencePieceTokenizer.class);
    assertThat(tok.encode("hello world é", true)).containsExactly(direct.encode("hello world é", true));
    assertThat(tok.bos()).isEqualTo(1);
    assertThat(tok.eos()).isEqualTo(2);
    assertThat(tok.stopTokens()).containsExactly(2);
    assertThat(tok.addBosByDefault()).isTrue();
  }

  @Test
  void withoutTokenTypesBytePiecesAreStillByteFallbacks() {
    Map<String, Object> m = spmMetadata();
    m.remove("tokenizer.ggml.token_type");
    Tokenizer tok = Tokenizers.fromGgufMetadata(m);
    assertThat(tok.tokenType(3 + 0xC3)).isEqualTo(TokenType.BYTE);
    assertThat(tok.decode(tok.encode("hé", true))).isEqualTo("hé");
  }

  @Test
  void buildsByteLevelBpeFromGgufMetadata() {
    ByteLevelBpeTokenizerTest.Vocab v = ByteLevelBpeTokenizerTest.helloWorld();
    int eot = v.special("<|eot_id|>", TokenType.CONTROL);
    Map<String, Object> m = new HashMap<>();
    m.put("tokenizer.ggml.model", "gpt2");
    m.put("tokenizer.ggml.pre", "qwen2");
    m.put("tokenizer.ggml.tokens", v.pieces.toArray(String[]::new));
    m.put("tokenizer.ggml.merges", v.merges.stream().map(p -> p[0] + " " + p[1]).toList());
    m.put("tokenizer.ggml.token_type", v.types.stream().map(TokenType::ggufCode).toList());
    m.put("tokenizer.ggml.bos_token_id", v.id("<|begin|>"));
    m.put("tokenizer.ggml.eos_token_id", v.id("<|end|>"));
    Tokenizer tok = Tokenizers.fromGgufMetadata(m);
    assertThat(tok).isInstanceOf(ByteLevelBpeTokenizer.class);
    assertThat(tok.encode("hello world 12", false)).containsExactly(v.id("hello"), v.id("Ġworld"), ' ', '1', '2');
    assertThat(tok.stopTokens()).containsExactlyInAnyOrder(v.id("<|end|>"), eot);
    assertThat(tok.addBosByDefault()).isFalse(); // Qwen2 convention when add_bos_token is absent
    assertThat(tok.find("<|eot_id|>")).hasValue(eot);
  }

  @Test
  void badGgufMetadataNamesTheKey() {
    Map<String, Object> m = spmMetadata();
    m.put("tokenizer.ggml.model", "bert");
    assertThatThrownBy(() -> Tokenizers.fromGgufMetadata(m)).isInstanceOf(ModelFormatException.class).hasMessageContaining("\"bert\"");
    Map<String, Object> m2 = spmMetadata();
    m2.put("tokenizer.ggml.scores", new float[3]);
    assertThatThrownBy(() -> Tokenizers.fromGgufMetadata(m2)).isInstanceOf(ModelFormatException.class).hasMessageContaining("tokenizer.ggml.scores has 3");
    Map<String, Object> m3 = spmMetadata();
    m3.remove("tokenizer.ggml.tokens");
    assertThatThrownBy(() -> Tokenizers.fromGgufMetadata(m3)).isInstanceOf(ModelFormatException.class).hasMessageContaining("tokenizer.ggml.tokens is missing");
    Map<String, Object> m4 = spmMetadata();
    m4.put("tokenizer.ggml.tokens", 7);
    assertThatThrownBy(() -> Tokenizers.fromGgufMetadata(m4)).isInstanceOf(ModelFormatException.class).hasMessageContaining("expected an array");
  }

  @Test
  void readsByteLevelTokenizerJson() throws IOException {
    ByteLevelBpeTokenizerTest.Vocab v = ByteLevelBpeTokenizerTest.helloWorld();
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    Map<String, Object> vocabMap = new java.util.LinkedHashMap<>();
    List<Map<String, Object>> added = new ArrayList<>();
    for (int id = 0; id < v.pieces.size(); id++) {
      if (v.types.get(id) == TokenType.CONTROL) {
        added.add(Map.of("id", id, "content", v.pieces.get(id), "special", true));
      } else {
        vocabMap.put(v.pieces.get(id), id);
      }
    }
    Map<String, Object> json = Map.of(
        "added_tokens", added,
        "pre_tokenizer", Map.of("type", "Sequence", "pretokenizers", List.of(
            Map.of("type", "Split", "pattern", Map.of("Regex", PreTokenizerPattern.LLAMA3.regex()), "behavior", "Isolated"),
            Map.of("type", "ByteLevel", "use_regex", false))),
        "post_processor", Map.of("type", "TemplateProcessing", "single", List.of(Map.of("SpecialToken", Map.of("id", "<|begin|>")))),
        "model", Map.of("type", "BPE", "ignore_merges", true, "vocab", vocabMap,
            "merges", v.merges.stream().map(p -> List.of(p[0], p[1])).toList()));
    Path file = dir.resolve("tokenizer.json");
    mapper.writeValue(file.toFile(), json);
    Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": [" + v.id("<|end|>") + "]}");
    Tokenizer tok = Tokenizers.fromTokenizerJson(file);
    assertThat(tok).isInstanceOf(ByteLevelBpeTokenizer.class);
    assertThat(tok.encode("hello world", true)).containsExactly(v.id("<|begin|>"), v.id("hello"), v.id("Ġworld"));
    assertThat(tok.bos()).isEqualTo(v.id("<|begin|>"));
    assertThat(tok.eos()).isEqualTo(v.id("<|end|>"));
    assertThat(tok.addBosByDefault()).isTrue();
  }

  @Test
  void readsSentencePieceStyleTokenizerJson() throws IOException {
    SentencePieceTokenizerTest.Vocab v = SentencePieceTokenizerTest.helloWorld();
    Map<String, Object> vocabMap = new java.util.LinkedHashMap<>();
    for (int id = 0; id < v.pieces.size(); id++) {
      vocabMap.put(v.pieces.get(id), id);
    }
    // The HF converter lists, per merged piece in score order, every split into two pieces.
    List<Integer> byScore = new ArrayList<>();
    for (int id = 0; id < v.pieces.size(); id++) {
      if (v.types.get(id) == TokenType.NORMAL && v.pieces.get(id).length() > 1) {
        byScore.add(id);
      }
    }
    byScore.sort((a, b) -> Float.compare(v.scores.get(b), v.scores.get(a)));
    List<String> merges = new ArrayList<>();
    for (int id : byScore) {
      String p = v.pieces.get(id);
      for (int cut = 1; cut < p.length(); cut++) {
        if (vocabMap.containsKey(p.substring(0, cut)) && vocabMap.containsKey(p.substring(cut))) {
          merges.add(p.substring(0, cut) + " " + p.substring(cut));
        }
      }
    }
    Map<String, Object> json = Map.of(
        "added_tokens", List.of(Map.of("id", 0, "content", "<unk>", "special", true), Map.of("id", 1, "content", "<s>", "special", true),
            Map.of("id", 2, "content", "</s>", "special", true)),
        "normalizer", Map.of("type", "Sequence", "normalizers", List.of(Map.of("type", "Prepend", "prepend", "\u2581"),
            Map.of("type", "Replace", "pattern", Map.of("String", " "), "content", "\u2581"))),
        "model", Map.of("type", "BPE", "byte_fallback", true, "unk_token", "<unk>", "vocab", vocabMap, "merges", merges));
    Path file = dir.resolve("tokenizer.json");
    new com.fasterxml.jackson.databind.ObjectMapper().writeValue(file.toFile(), json);
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": {\"content\": \"<s>\"}, \"eos_token\": \"</s>\", \"add_bos_token\": true}");
    Tokenizer tok = Tokenizers.fromTokenizerJson(file);
    assertThat(tok).isInstanceOf(SentencePieceTokenizer.class);
    SentencePieceTokenizer direct = v.build();
    for (String s : List.of("hello world", "hé 😀 <s>", " hello  world ", "abc")) {
      assertThat(tok.encode(s, true)).as(s).containsExactly(direct.encode(s, true));
      assertThat(tok.decode(tok.encode(s, true))).isEqualTo(s);
    }
    assertThat(tok.bos()).isEqualTo(1);
    assertThat(tok.eos()).isEqualTo(2);
  }

  @Test
  void qwenStyleNfcNormalizerAndUnsupportedStepsInTokenizerJson() throws IOException {
    ByteLevelBpeTokenizerTest.Vocab v = new ByteLevelBpeTokenizerTest.Vocab();
    int eAcute = v.merge("Ã", "©"); // "é" is C3 A9
    Map<String, Object> vocabMap = new java.util.LinkedHashMap<>();
    for (int id = 0; id < v.pieces.size(); id++) {
      vocabMap.put(v.pieces.get(id), id);
    }
    Map<String, Object> pre = Map.of("type", "Sequence", "pretokenizers", List.of(
        Map.of("type", "Split", "pattern", Map.of("Regex", PreTokenizerPattern.QWEN2.regex()), "behavior", "Isolated"),
        Map.of("type", "ByteLevel", "add_prefix_space", false, "use_regex", false)));
    Map<String, Object> model = Map.of("type", "BPE", "vocab", vocabMap, "merges", v.merges.stream().map(p -> p[0] + " " + p[1]).toList());
    Path file = dir.resolve("tokenizer.json");
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    mapper.writeValue(file.toFile(), Map.of("normalizer", Map.of("type", "NFC"), "pre_tokenizer", pre, "model", model));
    Tokenizer tok = Tokenizers.fromTokenizerJson(file);
    assertThat(tok.encode("e\u0301", false)).containsExactly(eAcute); // decomposed é composes first
    assertThat(tok.find("Ã©")).hasValue(eAcute);
    assertThat(tok.find("nope")).isEmpty();

    mapper.writeValue(file.toFile(), Map.of("normalizer", Map.of("type", "Lowercase"), "pre_tokenizer", pre, "model", model));
    assertThatThrownBy(() -> Tokenizers.fromTokenizerJson(file)).isInstanceOf(ModelFormatException.class).hasMessageContaining("normalizer Lowercase");
    Map<String, Object> groupedDigits = Map.of("type", "Sequence", "pretokenizers", List.of(Map.of("type", "Digits", "individual_digits", false),
        Map.of("type", "ByteLevel", "use_regex", true)));
    mapper.writeValue(file.toFile(), Map.of("pre_tokenizer", groupedDigits, "model", model));
    assertThatThrownBy(() -> Tokenizers.fromTokenizerJson(file)).isInstanceOf(ModelFormatException.class).hasMessageContaining("Digits");
  }

  @Test
  void smolLmSplitsDigitsBeforeTheRegexInTokenizerJsonAndGguf() throws IOException {
    ByteLevelBpeTokenizerTest.Vocab v = new ByteLevelBpeTokenizerTest.Vocab();
    int spaceOne = v.merge("Ġ", "1");
    Map<String, Object> vocabMap = new java.util.LinkedHashMap<>();
    for (int id = 0; id < v.pieces.size(); id++) {
      vocabMap.put(v.pieces.get(id), id);
    }
    List<String> merges = List.of("Ġ 1");
    Map<String, Object> model = Map.of("type", "BPE", "vocab", vocabMap, "merges", merges);
    Path file = dir.resolve("tokenizer.json");
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    mapper.writeValue(file.toFile(), Map.of("pre_tokenizer", Map.of("type", "ByteLevel", "use_regex", true), "model", model));
    // GPT-2 alone: " 12" is one word, so Ġ and 1 merge
    assertThat(Tokenizers.fromTokenizerJson(file).encode("ab 12", false)).containsExactly('a', 'b', spaceOne, '2');
    mapper.writeValue(file.toFile(), Map.of("pre_tokenizer", Map.of("type", "Sequence", "pretokenizers", List.of(
        Map.of("type", "Digits", "individual_digits", true), Map.of("type", "ByteLevel", "use_regex", true))), "model", model));
    // Digits first: " " and "1" are separate words and cannot merge
    assertThat(Tokenizers.fromTokenizerJson(file).encode("ab 12", false)).containsExactly('a', 'b', ' ', '1', '2');

    Map<String, Object> gguf = new HashMap<>();
    gguf.put("tokenizer.ggml.model", "gpt2");
    gguf.put("tokenizer.ggml.pre", "smollm");
    gguf.put("tokenizer.ggml.tokens", List.copyOf(v.pieces));
    gguf.put("tokenizer.ggml.merges", merges);
    assertThat(Tokenizers.fromGgufMetadata(gguf).encode("ab 12", false)).containsExactly('a', 'b', ' ', '1', '2');
    gguf.put("tokenizer.ggml.pre", "gpt-2");
    assertThat(Tokenizers.fromGgufMetadata(gguf).encode("ab 12", false)).containsExactly('a', 'b', spaceOne, '2');
  }

  @Test
  void unsupportedTokenizerJsonIsRefused() throws IOException {
    Path file = dir.resolve("tokenizer.json");
    Files.writeString(file, "{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"a\", 0.0]]}}");
    assertThatThrownBy(() -> Tokenizers.fromTokenizerJson(file)).isInstanceOf(ModelFormatException.class).hasMessageContaining("Unigram");
    Files.writeString(file, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 15000000}, \"merges\": []}}");
    assertThatThrownBy(() -> Tokenizers.fromTokenizerJson(file)).isInstanceOf(ModelFormatException.class).hasMessageContaining("expected dense ids");
    Files.writeString(file, "{\"model\": ");
    assertThatThrownBy(() -> Tokenizers.fromTokenizerJson(file)).isInstanceOf(ModelFormatException.class).hasMessageContaining("cannot read JSON");
  }
}
