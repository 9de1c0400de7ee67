package org.recycledattention.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.model.format.gguf.writer.GgufWriter;

/**
 * {@code ra tokenize} through the command line, on the vocabulary-only GGUF fixtures of ra-model's
 * tokenizer tests ({@code make_fixtures.py}: llama-tokenize's ids for each text).
 */
class TokenizeCommandTest {
  /** ra-model's llama.cpp tokenizer fixtures (tests run in the module's directory). */
  static final Path FIXTURES = Path.of("../ra-model/src/test/resources/tokenizer/llama-cpp");

  static final Path BPE = FIXTURES.resolve("bpe-vocab.gguf");
  static final Path SPM = FIXTURES.resolve("spm-vocab.gguf");

  private static JsonNode texts;
  private static JsonNode expected;

  @TempDir Path dir;

  @BeforeAll
  static void load() throws IOException {
    ObjectMapper m = new ObjectMapper();
    texts = m.readTree(FIXTURES.resolve("texts.json").toFile());
    expected = m.readTree(FIXTURES.resolve("expected.json").toFile());
  }

  static List<Integer> ids(JsonNode array) {
    List<Integer> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asInt()));
    return out;
  }

  static List<Integer> jsonIds(String out) throws IOException {
    List<Integer> ids = new ArrayList<>();
    new ObjectMapper().readTree(out).forEach(o -> ids.add(o.path("id").asInt()));
    return ids;
  }

  private Path file(String name, String text) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, text, StandardCharsets.UTF_8);
    return f;
  }

  @Test
  void givesLlamaTokenizesIdsOnAVocabularyOnlyGguf() throws IOException {
    JsonNode all = texts.path("texts");
    // ra-model's tests check every text; here a few: spaces and newlines, digits, contractions,
    // scripts, emoji
    for (int i : new int[] {7, 14, 17, 20, 25, 26, 27, 39, 46}) {
      Path f = file("text" + i + ".txt", all.get(i).asText());
      Cli.Result r =
          Cli.run(
              "tokenize",
              "--model",
              BPE.toString(),
              "--prompt-file",
              f.toString(),
              "--no-bos",
              "--json");
      assertThat(r.exitCode()).as(r.err()).isZero();
      assertThat(jsonIds(r.out()))
          .as("text %d", i)
          .isEqualTo(ids(expected.path("bpe").path("texts").path("llama-bpe").get(i)));
      Cli.Result spm =
          Cli.run(
              "tokenize",
              "--model",
              SPM.toString(),
              "--prompt-file",
              f.toString(),
              "--no-bos",
              "--json");
      assertThat(jsonIds(spm.out()))
          .as("SentencePiece, text %d", i)
          .isEqualTo(ids(expected.path("spm").path("texts").get(i)));
    }
    String bosText = texts.path("bos_text").asText();
    // BOS when the vocabulary asks (llama-bpe does), through --prompt too
    Cli.Result r = Cli.run("tokenize", "--model", BPE.toString(), "--prompt", bosText, "--ids");
    assertThat(r.out())
        .isEqualTo(ids(expected.path("bpe").path("with_bos").path("llama-bpe")) + "\n");
    assertThat(r.errLines())
        .containsExactly(
            ids(expected.path("bpe").path("with_bos").path("llama-bpe")).size()
                + " tokens; GGUF vocabulary of 1166 pieces (byte-level BPE, pre-tokenizer llama-bpe)");
  }

  @Test
  void printsIdsAndPiecesLikeLlamaTokenize() throws IOException {
    Cli.Result r = Cli.run("tokenize", "--model", BPE.toString(), "--prompt", "Hello world\n日");
    assertThat(r.exitCode()).isZero();
    // llama-tokenize's lines, byte for byte; a piece that is part of a character shows its bytes
    assertThat(r.out())
        .isEqualTo(
            """
          1161 -> '<|begin_of_text|>'
           374 -> 'Hello'
          1156 -> ' world'
            10 -> '
        '
           230 -> '<e6>' (utf-8 decode failure)
           151 -> '<97>' (utf-8 decode failure)
           165 -> '<a5>' (utf-8 decode failure)
        """);
    Cli.Result json =
        Cli.run(
            "tokenize", "--model", BPE.toString(), "--prompt", "Hello\n日", "--no-bos", "--json");
    assertThat(json.out())
        .isEqualTo(
            """
        [
         {"id":374,"piece":"Hello"},
         {"id":10,"piece":"\\n"},
         {"id":230,"piece":"\uFFFD","bytes":[230]},
         {"id":151,"piece":"\uFFFD","bytes":[151]},
         {"id":165,"piece":"\uFFFD","bytes":[165]}
        ]
        """);
    Cli.Result spm =
        Cli.run("tokenize", "--model", SPM.toString(), "--prompt", "a<|user|>b", "--json");
    // SentencePiece: the dummy-prefix space is shown, and again after a user-defined token, as
    // llama.cpp encodes it
    assertThat(new ObjectMapper().readTree(spm.out()).findValuesAsText("piece"))
        .containsExactly("<s>", " a", "<|user|>", " b");
    Cli.Result empty =
        Cli.run("tokenize", "--model", BPE.toString(), "--prompt", "", "--no-bos", "--json");
    assertThat(empty.out()).isEqualTo("[]\n");
  }

  @Test
  void badInputsAreOneLineErrorsWithExitCode2() throws IOException {
    Path text = file("ok.txt", "hello");
    Path notUtf8 = dir.resolve("latin1.txt");
    Files.write(notUtf8, new byte[] {'c', 'a', 'f', (byte) 0xE9});
    Path notGguf = file("model.gguf", "this is not a model");
    Path noVocab = dir.resolve("weights-only.gguf");
    new GgufWriter().putString("general.architecture", "llama").write(noVocab);
    Path unknownPre = dir.resolve("unknown-pre.gguf");
    new GgufWriter()
        .putString("tokenizer.ggml.model", "gpt2")
        .putString("tokenizer.ggml.pre", "gpt-5")
        .putStrings("tokenizer.ggml.tokens", List.of("a", "b", "ab"))
        .putStrings("tokenizer.ggml.merges", List.of("a b"))
        .write(unknownPre);
    record Case(String[] args, String message) {}
    List<Case> cases =
        List.of(
            new Case(
                new String[] {"--model", dir.resolve("missing.gguf").toString(), "--prompt", "x"},
                "missing.gguf' does not exist"),
            new Case(
                new String[] {"--model", notGguf.toString(), "--prompt", "x"},
                "unknown model format"),
            new Case(
                new String[] {"--model", noVocab.toString(), "--prompt", "x"},
                "holds no vocabulary (tokenizer.ggml.model is absent)"),
            new Case(
                new String[] {"--model", unknownPre.toString(), "--prompt", "x"},
                "tokenizer.ggml.pre is \"gpt-5\""),
            new Case(new String[] {"--model", BPE.toString()}, "Missing required argument"),
            new Case(
                new String[] {
                  "--model", BPE.toString(), "--prompt", "x", "--prompt-file", text.toString()
                },
                "mutually exclusive"),
            new Case(
                new String[] {"--model", BPE.toString(), "--prompt-file", notUtf8.toString()},
                "latin1.txt' is not valid UTF-8 (at byte 3)"),
            // what the JVM makes of an argument that is not UTF-8
            new Case(
                new String[] {"--model", BPE.toString(), "--prompt", "caf\uFFFD"},
                "--prompt holds U+FFFD"),
            new Case(
                new String[] {
                  "--model", BPE.toString(), "--prompt-file", dir.resolve("none.txt").toString()
                },
                "none.txt' does not exist"),
            new Case(
                new String[] {"--model", BPE.toString(), "--prompt", "x", "--json", "--ids"},
                "--json and --ids"));
    for (Case c : cases) {
      String[] args = new String[c.args().length + 1];
      args[0] = "tokenize";
      System.arraycopy(c.args(), 0, args, 1, c.args().length);
      Cli.Result r = Cli.run(args);
      assertThat(r.exitCode()).as("%s: %s", c.message(), r.err()).isEqualTo(2);
      assertThat(r.errLines()).as(c.message()).hasSize(1);
      assertThat(r.err()).contains(c.message());
      assertThat(r.out()).isEmpty();
    }
    Cli.Result unknown = Cli.run("tokenize", "--model", unknownPre.toString(), "--prompt", "x");
    assertThat(unknown.err())
        .contains("supported: ")
        .contains("chameleon")
        .contains("llama-bpe")
        .contains("qwen2");
  }
}
