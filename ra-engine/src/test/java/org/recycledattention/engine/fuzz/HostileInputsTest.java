package org.recycledattention.engine.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.recycledattention.api.RaException;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.format.ModelFormat;
import org.recycledattention.model.format.gguf.GgufFile;
import org.recycledattention.model.format.gguf.writer.GgufWriter;
import org.recycledattention.model.format.llama2c.Llama2cReader;
import org.recycledattention.model.tensor.GgmlType;
import org.recycledattention.model.testing.Loaders;
import org.recycledattention.model.tokenizer.Tokenizers;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The named hostile inputs of issue 9, one by one, without Jazzer: each is a {@link
 * ModelFormatException} (exit code 2) whose message names the file and, where the format has byte
 * offsets, the offset of the field that is wrong. Offsets are derived from the layouts {@link
 * Seeds} writes (GGUF header: magic 0, version 4, tensor count 8, kv count 16, first key 24).
 */
class HostileInputsTest {
  @TempDir
  Path dir;

  private Path file(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  /** Loads {@code path} with every reader; returns the failure, checked to name {@code named} at {@code offset}. */
  private static ModelFormatException loadFails(Path path, Path named, long offset) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> FuzzSupport.loader().load(path).close());
    return checked(t, named, offset);
  }

  private static ModelFormatException checked(Throwable t, Path named, long offset) {
    assertThat(t).isInstanceOf(ModelFormatException.class);
    ModelFormatException e = (ModelFormatException) t;
    assertThat(e.exitCode()).isEqualTo(RaException.USAGE_ERROR);
    assertThat(e.file()).isEqualTo(named);
    assertThat(e.offset()).isEqualTo(offset);
    assertThat(e.getMessage()).startsWith(named.toString()).doesNotContain("\n");
    if (offset >= 0) {
      assertThat(e.getMessage()).contains("(at byte " + offset + ")");
    }
    return e;
  }

  // ------------------------------------------------------------------------------------- GGUF

  /** Each hostile GGUF seed, the byte offset its error must name, and what its message must say ("|" between parts). */
  static Stream<Arguments> hostileGgufs() {
    return Stream.of(
        Arguments.of("tensor-count-2e60", 8, "claims 1152921504606846976 tensors"),
        Arguments.of("kv-count-2e60", 16, "1152921504606846976 metadata entries"),
        // a negative count is reported unsigned
        Arguments.of("tensor-count-negative", 8, "claims 18446744073709551615 tensors"),
        Arguments.of("key-length-negative", 24, "a string claims 18446744073709551615 bytes"),
        // key "general.name": 24 + 8 + 12 = 44, value type 4 bytes, string length at 48
        Arguments.of("string-value-length-huge", 48, "a string claims " + Long.MAX_VALUE + " bytes"),
        // key "a": 24 + 9 = 33, value type 33, element type 37, count 41
        Arguments.of("array-count-2e60", 41, "claims 1152921504606846976 elements"),
        // key "bomb": 24 + 12 = 36, value type 36, outer array at 40, each level 12 bytes (type + count)
        Arguments.of("nested-array-depth-bomb", 40 + 8 * 12, "nested more than 8 deep"),
        Arguments.of("tensor-offset-past-eof", 24, "tensor 't'|ends past the end"),
        // name "t": 24 + 9 = 33 (n_dims), dims at 37, 45, 53; 2^32 · 2^32 overflows at the second
        Arguments.of("tensor-dims-overflow", 45, "dimension 1 = 4294967296"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileGgufs")
  void hostileGgufFailsAtTheOffendingByteWithoutAllocating(String seed, long offset, String says) throws IOException {
    Path p = file("m.gguf", Seeds.hostileGguf().get(seed));
    assertThat(loadFails(p, p, offset)).hasMessageContainingAll(says.split("\\|"));
  }

  @Test
  void ggufVersionAndMagicAreNamed() throws IOException {
    Path v = file("v.gguf", Seeds.hostileGguf().get("version-99"));
    assertThat(checked(org.assertj.core.api.Assertions.catchThrowable(() -> GgufFile.open(v).close()), v, 4)).hasMessageContaining("version 99");
    Path m = file("m.gguf", Seeds.hostileGguf().get("bad-magic"));
    assertThat(checked(org.assertj.core.api.Assertions.catchThrowable(() -> GgufFile.open(m).close()), m, 0)).hasMessageContaining("not a GGUF file");
  }

  @Test
  void ggufBlockCountOf2e31LayersIsRefusedAtTheKeyNotAnOutOfMemoryError() throws IOException {
    GgufWriter w = new GgufWriter().putString("general.architecture", "llama").putUInt32("llama.embedding_length", 8)
        .putUInt32("llama.feed_forward_length", 16).putUInt32("llama.block_count", Integer.MAX_VALUE).putUInt32("llama.attention.head_count", 2)
        .putUInt32("llama.context_length", 32).addMatrix("token_embd.weight", GgmlType.F32, 16, 8, new float[128]);
    Path p = dir.resolve("layers.gguf");
    w.write(p);
    assertThat(loadFails(p, p, -1)).hasMessageContaining("metadata 'llama.block_count' is 2147483647; expected an integer in 1..65536");
  }

  @Test
  void everyTruncationOfAValidGgufIsAFormatError() throws IOException {
    byte[] valid = Seeds.gguf(GgmlType.F16, Seeds.spmTokenizer());
    Path whole = file("whole.gguf", valid);
    FuzzSupport.loadAndClose(whole);
    for (int len = 4; len < valid.length; len += 7) {
      Path p = file("t" + len + ".gguf", java.util.Arrays.copyOf(valid, len));
      Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> FuzzSupport.loader().load(p).close());
      assertThat(t).as("truncated to %d bytes", len).isInstanceOf(ModelFormatException.class);
      assertThat(((ModelFormatException) t).file()).isEqualTo(p);
      Files.delete(p);
    }
  }

  // ------------------------------------------------------------------------------ safetensors

  private Path safetensorsWithConfig(String name) throws IOException {
    Files.writeString(dir.resolve("config.json"), Seeds.CONFIG_JSON);
    return file("model.safetensors", Seeds.hostileSafetensors().get(name));
  }

  /**
   * Each hostile safetensors seed, the byte offset its error must name (-16: the start of its 16-byte
   * data section) and what its message must say.
   */
  static Stream<Arguments> hostileSafetensors() {
    return Stream.of(
        Arguments.of("header-length-past-eof", 0, "header length is 1000 but the file has 10 bytes"),
        // a negative length is reported unsigned
        Arguments.of("header-length-negative", 0, "header length is 18446744073709551614"),
        Arguments.of("data-offsets-past-eof", -16, "tensor 't' has data_offsets [0, 1099511627776] but the data section has 16 bytes"),
        Arguments.of("shape-overflow", -16, "too many elements"),
        // a JSON nesting bomb is a format error, not a StackOverflowError
        Arguments.of("header-nesting-bomb", 8, "header is not valid JSON"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileSafetensors")
  void hostileSafetensorsFailAtTheOffendingByte(String seed, long offset, String says) throws IOException {
    Path p = safetensorsWithConfig(seed);
    long at = offset < 0 ? Files.size(p) + offset : offset;
    assertThat(loadFails(p, p, at)).hasMessageContaining(says);
  }

  @Test
  void shardIndexCannotReachOutsideTheModelDirectory() throws IOException {
    Path model = Files.createDirectory(dir.resolve("model"));
    Files.writeString(model.resolve("config.json"), Seeds.CONFIG_JSON);
    Files.write(dir.resolve("passwd.safetensors"), Seeds.safetensors());
    Path index = Files.writeString(model.resolve("model.safetensors.index.json"),
        "{\"weight_map\": {\"model.embed_tokens.weight\": \"../passwd.safetensors\"}}");
    assertThat(loadFails(model, index, -1)).hasMessageContaining("names shard '../passwd.safetensors', which is not a file in");
  }

  @Test
  void configJsonWithAnOutOfRangeSizeNamesTheKey() throws IOException {
    Files.write(dir.resolve("model.safetensors"), Seeds.safetensors());
    Path config = Files.writeString(dir.resolve("config.json"), Seeds.hostileConfigJson().get("hidden-size-2e40"));
    assertThat(loadFails(dir, config, -1)).hasMessageContaining("'hidden_size' is 1099511627776; expected a positive integer");
  }

  @Test
  void configJsonClaiming2e31LayersIsRefusedAtTheKeyNotAnOutOfMemoryError() throws IOException {
    Files.write(dir.resolve("model.safetensors"), Seeds.safetensors());
    Files.writeString(dir.resolve("config.json"), Seeds.hostileConfigJson().get("layers-huge"));
    assertThat(loadFails(dir, dir.resolve("config.json"), -1)).hasMessageContaining("'num_hidden_layers' is 2147483647; expected an integer in 1..65536");
  }

  // ---------------------------------------------------------------------------------- llama2.c

  @Test
  void llama2cHeaderWhoseSizeOverflowsIsNotDetectedAsLlama2c() throws IOException {
    // dim 2^31-2, 2^30-1 heads: the implied size wrapped around 2^64 to exactly this file's 36 bytes
    Path p = file("m.bin", Seeds.overflowingLlama2cHeader());
    assertThat(Files.size(p)).isEqualTo(36);
    assertThat(loadFails(p, p, 0)).hasMessageContaining("unknown model format");
    assertThat(checked(org.assertj.core.api.Assertions.catchThrowable(() -> new Llama2cReader().read(p)), p, 0))
        .hasMessageContaining("is not a valid model shape");
  }

  @Test
  void llama2cTruncatedCheckpointNamesBothSizes() throws IOException {
    byte[] valid = Seeds.llama2c(true, 4);
    Path p = file("m.bin", java.util.Arrays.copyOf(valid, valid.length - 4));
    assertThat(checked(org.assertj.core.api.Assertions.catchThrowable(() -> new Llama2cReader().read(p)), p, 0))
        .hasMessageContaining("implies a file of " + valid.length + " bytes, but the file has " + (valid.length - 4));
    Path whole = file("whole.bin", valid);
    assertThat(Loaders.formats().detect(whole)).isEqualTo(ModelFormat.LLAMA2C);
  }

  // -------------------------------------------------------------------------------- tokenizers

  @Test
  void tokenizerBinNegativeAndHugeLengthsFailAtTheLength() throws IOException {
    // max_token_length 0..4, token 0: score 4..8, length at 8
    for (String name : new String[] {"length-negative", "length-huge"}) {
      Path p = file(name + ".bin", Seeds.hostileTokenizerBin().get(name));
      assertThat(checked(org.assertj.core.api.Assertions.catchThrowable(() -> Tokenizers.fromLlama2cFile(p, 16)), p, 8)).hasMessageContaining("token 0 claims");
    }
  }

  @Test
  void tokenizerBinThatCannotHoldTheVocabularyIsRejectedBeforeReading() throws IOException {
    Path p = file("tokenizer.bin", Seeds.tokenizerBin());
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> Tokenizers.fromLlama2cFile(p, 1 << 30));
    assertThat(t).isInstanceOf(ModelFormatException.class).hasMessageContaining("cannot hold 1073741824 tokens");
    assertThat(((ModelFormatException) t).file()).isEqualTo(p);
  }

  @Test
  void tokenizerJsonHostileIdsAndRegexesAreFormatErrors() throws IOException {
    Map<String, String> hostile = Seeds.hostileTokenizerJson();
    for (String name : new String[] {"token-id-max-int", "token-id-15999999", "token-id-negative", "token-id-2e40", "added-token-id-huge",
        "merge-without-space", "merge-array-of-three", "vocab-empty", "model-not-bpe", "regex-invalid", "root-array", "empty", "nesting-bomb"}) {
      Path p = Files.writeString(dir.resolve(name + ".json"), hostile.get(name));
      Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> Tokenizers.fromTokenizerJson(p));
      assertThat(t).as(name).isInstanceOf(ModelFormatException.class);
      assertThat(((ModelFormatException) t).file()).as(name).isEqualTo(p);
      assertThat(t.getMessage()).as(name).startsWith(p.toString()).doesNotContain("\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileConfigNames")
  void everyHostileConfigJsonIsAFormatErrorNamingConfigJson(String name) throws IOException {
    Files.write(dir.resolve("model.safetensors"), Seeds.safetensors());
    Path config = Files.writeString(dir.resolve("config.json"), Seeds.hostileConfigJson().get(name));
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> FuzzSupport.loader().load(dir).close());
    assertThat(t).isInstanceOf(ModelFormatException.class);
    if (!name.equals("layers-huge")) {
      assertThat(((ModelFormatException) t).file()).isEqualTo(config);
    }
  }

  static java.util.stream.Stream<String> hostileConfigNames() {
    return Seeds.hostileConfigJson().keySet().stream();
  }
}
