package org.recycledattention.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.format.gguf.GgufFile;

/**
 * Token ids equal llama.cpp's for every pre-tokenizer it knows: {@code /tokenizer/llama-cpp/} holds
 * two vocabulary-only GGUF files (byte-level BPE with merges learnt from a small multilingual
 * corpus, and SentencePiece), 42 texts (white-space runs, newlines after spaces, tabs, digit runs
 * of 1 to 10, contractions in both cases, punctuation runs, emoji, CJK, Cyrillic, Arabic,
 * Devanagari, Thai, Greek, Unicode spaces and digits, user-defined tokens) and {@code
 * llama-tokenize}'s ids for each, made by {@code make_fixtures.py} there. The BPE vocabulary is
 * encoded once per llama.cpp pre-tokenizer type, swapping only {@code tokenizer.ggml.pre}; every
 * accepted name also encodes a text with BOS.
 */
class LlamaCppTokenizerTest {
  private static JsonNode texts;
  private static JsonNode expected;
  private static Map<String, Object> bpeMetadata;
  private static Map<String, Object> spmMetadata;

  @BeforeAll
  static void load() throws IOException, URISyntaxException {
    texts = json("texts.json");
    expected = json("expected.json");
    bpeMetadata = metadata("bpe-vocab.gguf");
    spmMetadata = metadata("spm-vocab.gguf");
  }

  static JsonNode json(String name) throws IOException {
    try (InputStream in =
        LlamaCppTokenizerTest.class.getResourceAsStream("/tokenizer/llama-cpp/" + name)) {
      return new ObjectMapper().readTree(in);
    }
  }

  /** A fixture file's path (test resources are a directory on the class path). */
  static Path fixture(String name) throws URISyntaxException {
    return Path.of(LlamaCppTokenizerTest.class.getResource("/tokenizer/llama-cpp/" + name).toURI());
  }

  private static Map<String, Object> metadata(String name) throws URISyntaxException {
    try (GgufFile f = GgufFile.open(fixture(name))) {
      assertThat(f.tensors()).as("%s holds a vocabulary and no tensors", name).isEmpty();
      return new LinkedHashMap<>(f.metadata());
    }
  }

  private static Tokenizer bpe(String pre) {
    Map<String, Object> m = new HashMap<>(bpeMetadata);
    if (pre.equals("-")) {
      m.remove("tokenizer.ggml.pre");
    } else {
      m.put("tokenizer.ggml.pre", pre);
    }
    return Tokenizers.fromGgufMetadata(m);
  }

  private static List<String> textList() {
    List<String> out = new ArrayList<>();
    texts.path("texts").forEach(t -> out.add(t.asText()));
    return out;
  }

  static int[] ids(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  @Test
  void everyPreTokenizerTypeSplitsLikeLlamaCpp() {
    List<String> all = textList();
    SoftAssertions soft = new SoftAssertions();
    int checked = 0;
    for (var type : expected.path("bpe").path("texts").properties()) {
      Tokenizer tok = bpe(type.getKey());
      for (int i = 0; i < all.size(); i++) {
        int[] want = ids(type.getValue().get(i));
        soft.assertThat(tok.encode(all.get(i), false))
            .as("pre %s, text %d %s", type.getKey(), i, PreTokenizerPatternTest.escape(all.get(i)))
            .containsExactly(want);
        checked++;
      }
    }
    soft.assertAll();
    assertThat(checked).isEqualTo(LlamaPreTokenizer.values().length * all.size());
  }

  @Test
  void everyPreTokenizerTypeHasFixtures() {
    Set<LlamaPreTokenizer> covered = new TreeSet<>();
    expected
        .path("bpe")
        .path("texts")
        .properties()
        .forEach(e -> covered.add(LlamaPreTokenizer.forName(e.getKey()).orElseThrow()));
    assertThat(covered).containsExactlyInAnyOrder(LlamaPreTokenizer.values());
    Set<String> names = new TreeSet<>();
    expected.path("bpe").path("with_bos").fieldNames().forEachRemaining(names::add);
    names.remove("-");
    Set<String> ours = new TreeSet<>();
    Arrays.stream(LlamaPreTokenizer.values()).forEach(p -> ours.addAll(p.names()));
    assertThat(ours).isEqualTo(names);
  }

  @Test
  void everyNameAddsBosAndSplitsAsItsType() {
    String text = texts.path("bos_text").asText();
    SoftAssertions soft = new SoftAssertions();
    for (var name : expected.path("bpe").path("with_bos").properties()) {
      Tokenizer tok = bpe(name.getKey());
      soft.assertThat(tok.encode(text, tok.addBosByDefault()))
          .as("pre %s", name.getKey())
          .containsExactly(ids(name.getValue()));
    }
    soft.assertAll();
  }

  @Test
  void absentPreIsLlamaCppsDefault() {
    // llama.cpp warns and uses "default" (punctuation runs, GPT-2, digit runs, ASCII digit triples)
    String text = texts.path("bos_text").asText();
    assertThat(bpe("-").encode(text, false)).containsExactly(bpe("default").encode(text, false));
    assertThat(bpe("-").encode(text, false)).isNotEqualTo(bpe("llama-bpe").encode(text, false));
  }

  @Test
  void unknownPreIsAnErrorNamingItAndTheSupportedOnes() {
    assertThatThrownBy(() -> bpe("gpt2"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("tokenizer.ggml.pre is \"gpt2\"")
        .hasMessageContaining("supported: ")
        .hasMessageContaining("gpt-2, ")
        .hasMessageContaining("tekken");
  }

  @Test
  void sentencePieceEncodesLikeLlamaCpp() {
    List<String> all = textList();
    JsonNode spm = expected.path("spm");
    Map<String, Object> noPrefix = new HashMap<>(spmMetadata);
    noPrefix.put("tokenizer.ggml.add_space_prefix", false);
    Tokenizer tok = Tokenizers.fromGgufMetadata(spmMetadata);
    Tokenizer noSpace = Tokenizers.fromGgufMetadata(noPrefix);
    SoftAssertions soft = new SoftAssertions();
    for (int i = 0; i < all.size(); i++) {
      String escaped = PreTokenizerPatternTest.escape(all.get(i));
      soft.assertThat(tok.encode(all.get(i), false))
          .as("text %d %s", i, escaped)
          .containsExactly(ids(spm.path("texts").get(i)));
      soft.assertThat(noSpace.encode(all.get(i), false))
          .as("no space prefix, text %d %s", i, escaped)
          .containsExactly(ids(spm.path("no_space_prefix").get(i)));
      // our decoder gives the text back, dummy prefixes and all
      soft.assertThat(tok.decode(tok.encode(all.get(i), true)))
          .as("round trip %d", i)
          .isEqualTo(all.get(i));
    }
    String text = texts.path("bos_text").asText();
    soft.assertThat(tok.encode(text, tok.addBosByDefault()))
        .as("with BOS")
        .containsExactly(ids(spm.path("with_bos")));
    soft.assertAll();
  }

  @Test
  void sentencePieceIgnoresPreAsLlamaCppDoes() {
    Map<String, Object> m = new HashMap<>(spmMetadata);
    m.put("tokenizer.ggml.pre", "no-such-pre-tokenizer");
    String text = texts.path("bos_text").asText();
    assertThat(Tokenizers.fromGgufMetadata(m).encode(text, true))
        .containsExactly(ids(expected.path("spm").path("with_bos")));
  }

  @Test
  void byteLevelTextRoundTripsThroughEveryPreTokenizer() {
    for (LlamaPreTokenizer pre : LlamaPreTokenizer.values()) {
      Tokenizer tok = bpe(pre.ggufName());
      for (String text : textList()) {
        assertThat(tok.decode(tok.encode(text, true)))
            .as("%s: %s", pre, PreTokenizerPatternTest.escape(text))
            .isEqualTo(text);
        assertThat(String.join("", pre.split(text))).isEqualTo(text);
      }
    }
  }
}
