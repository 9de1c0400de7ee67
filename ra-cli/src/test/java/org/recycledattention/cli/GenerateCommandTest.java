package org.recycledattention.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.cli.Cli.Result;

/** {@code ra generate}: input validation (no model needed) and runs on the stories260K fixture. */
class GenerateCommandTest {
  private static final Path FIXTURES = Path.of(System.getProperty("ra.fixtures", "../shared/fixtures"), "stories260K");

  @TempDir
  Path tmp;

  private static Path fixture(String name) {
    Path p = FIXTURES.resolve(name);
    assumeTrue(Files.isRegularFile(p), "fixture " + p + " is absent; see ../shared/fixtures/README.md");
    return p;
  }

  /** An existing file: enough for the checks that run before the model is read. */
  private Path anyFile() throws Exception {
    return Files.writeString(tmp.resolve("model.gguf"), "not a model");
  }

  private static void assertUsageError(Result r, String message) {
    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
    assertThat(r.errLines()).containsExactly(message);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void anUnknownPolicyIsRefusedBeforeTheModelIsRead() throws Exception {
    assertUsageError(Cli.run("generate", "--model", anyFile().toString(), "--prompt-ids", "1", "--policy", "nope"),
        "unknown attention policy 'nope'; available: full, h2o, local, recycled, snapkv (plugins load from --plugin-path)");
  }

  @Test
  void aMistypedKeyNamesItAndTheAllowedOnes() throws Exception {
    Result r = Cli.run("generate", "--model", anyFile().toString(), "--prompt-ids", "1", "--set", "ra.policy.recycled.strid=3");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines()).singleElement().asString()
        .startsWith("unknown configuration key 'ra.policy.recycled.strid'; allowed: ")
        .contains("ra.policy.recycled.stride");
  }

  @Test
  void badInputsAreOneLineUsageErrors() throws Exception {
    String model = anyFile().toString();
    assertUsageError(Cli.run("generate", "--model", model, "--prompt-ids", "1", "--set", "stride"),
        "malformed --set 'stride'; expected key=value such as ra.policy.recycled.stride=3");
    Path missing = tmp.resolve("missing.gguf");
    assertUsageError(Cli.run("generate", "--model", missing.toString(), "--prompt-ids", "1"),
        "model file '" + missing + "' does not exist; pass a .gguf file, a llama2.c .bin or a safetensors directory to --model");
    assertUsageError(Cli.run("generate", "--model", tmp.toString(), "--prompt-ids", "1"),
        "model path '" + tmp + "' is a directory without config.json; pass a .gguf or llama2.c .bin file, "
            + "or a Hugging Face safetensors directory (config.json, *.safetensors)");
    assertUsageError(Cli.run("generate", "--model", model, "--prompt", "  "),
        "the prompt given to --prompt is empty; pass some text, or token ids with --prompt-ids");
    Path empty = Files.writeString(tmp.resolve("empty.txt"), "\n");
    assertUsageError(Cli.run("generate", "--model", model, "--prompt-file", empty.toString()),
        "prompt file '" + empty + "' is empty; put the prompt text in it, or pass token ids with --prompt-ids");
    Path latin1 = Files.write(tmp.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9});
    assertUsageError(Cli.run("generate", "--model", model, "--prompt-file", latin1.toString()),
        "prompt file '" + latin1 + "' is not valid UTF-8 (at byte 3); save it as UTF-8");
    assertUsageError(Cli.run("generate", "--model", model, "--prompt-file", tmp.toString()),
        "prompt file '" + tmp + "' is not a regular file; pass a UTF-8 text file to --prompt-file");
    assertUsageError(Cli.run("generate", "--model", model, "--prompt-ids", "1", "--max-tokens", "0"),
        "invalid value '0' for --max-tokens: expected an integer >= 1");
    assertUsageError(Cli.run("generate", "--model", model, "--prompt-ids", "1,,2"),
        "malformed --prompt-ids '1,,2': '' is not a token id; expected comma-separated non-negative integers such as 1,2,3");
    assertUsageError(Cli.run("generate", "--model", model, "--prompt-ids", "1", "--top-p", "0"),
        "invalid value '0.0' for --top-p: expected a number in (0, 1] (1 = no limit)");
    assertUsageError(Cli.run("generate", "--model", model, "--prompt-ids", "1", "--warm-up", "-1"),
        "invalid value '-1' for --warm-up: expected an integer >= 0 (0 = no warm-up)");
    assertUsageError(Cli.run("generate", "--model", model, "--prompt-ids", "1", "--threads", "0"),
        "invalid value '0' for ra.threads: expected an integer in [1, 4096]");

    Result noPrompt = Cli.run("generate", "--model", model);
    assertThat(noPrompt.exitCode()).isEqualTo(2);
    assertThat(noPrompt.errLines()).singleElement().asString().contains("--prompt=TEXT | --prompt-file=FILE | --prompt-ids=IDS");
    Result twoPrompts = Cli.run("generate", "--model", model, "--prompt", "a", "--prompt-ids", "1");
    assertThat(twoPrompts.exitCode()).isEqualTo(2);
    assertThat(twoPrompts.errLines()).singleElement().asString().contains("mutually exclusive");
  }

  @Test
  void aFileOfNoKnownFormatIsAUsageErrorNamingIt() throws Exception {
    Path model = anyFile();
    Result r = Cli.run("generate", "--model", model.toString(), "--prompt-ids", "1", "--policy", "full");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines()).singleElement().asString().startsWith(model + " (at byte 0): unknown model format");
  }

  @Test
  void jsonHasTheDocumentedFieldsAndLlama2csGreedyIds() throws Exception {
    Path model = fixture("stories260K-f32.gguf");
    Result r = Cli.run("generate", "--model", model.toString(), "--prompt-ids", "1", "--max-tokens", "12", "--policy", "full",
        "--threads", "1", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertThat(root.fieldNames()).toIterable().containsExactly("prompt_ids", "tokens", "text", "stats");
    assertThat(root.get("stats").fieldNames()).toIterable()
        .contains("prefill_ms", "decode_tokens_per_s", "full_steps", "partial_steps", "mean_tokens_attended", "peak_resident_kv_bytes");
    JsonNode reference = new ObjectMapper().readTree(FIXTURES.resolve("reference.json").toFile()).get("llama2c_greedy_from_bos");
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      expected.add(reference.get(i).asInt());
    }
    List<Integer> tokens = new ArrayList<>();
    root.get("tokens").forEach(t -> tokens.add(t.asInt()));
    assertThat(tokens).containsExactlyElementsOf(expected);
    assertThat(root.get("prompt_ids").get(0).asInt()).isEqualTo(1);
    assertThat(root.get("text").isTextual()).isTrue();
    assertThat(root.get("stats").get("partial_steps").asLong()).as("full attention never attends a partial cache").isZero();
    assertThat(root.get("stats").get("peak_resident_kv_bytes").asLong()).isPositive();
    assertThat(root.get("stats").get("seed").asLong()).as("greedy runs report a fixed seed").isZero();
    assertThat(root.get("stats").get("warm_up_tokens").asInt()).isZero();

    // a warm-up first: the same tokens, and the stats say so
    Result warm = Cli.run("generate", "--model", model.toString(), "--prompt-ids", "1", "--max-tokens", "12", "--policy", "full",
        "--threads", "1", "--json", "--warm-up", "20");
    assertThat(warm.exitCode()).as(warm.err()).isZero();
    JsonNode warmRoot = new ObjectMapper().readTree(warm.out());
    assertThat(warmRoot.get("tokens")).isEqualTo(root.get("tokens"));
    assertThat(warmRoot.get("stats").get("warm_up_tokens").asInt()).isEqualTo(20);
  }

  @Test
  void withoutATokenizerIdsStreamAndTextPromptsAreRefused() throws Exception {
    Path model = fixture("stories260K.bin"); // its vocabulary is tok512-ids.bin, not tokenizer.bin: no tokenizer
    Result r = Cli.run("generate", "--model", model.toString(), "--prompt-ids", "1", "--max-tokens", "5", "--policy", "full",
        "--budget", "4", "--threads", "1");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("461 461 401 401 401" + System.lineSeparator());
    assertThat(r.errLines()).singleElement().asString().startsWith("[5 tokens; prefill ").contains("policy full, backend cpu, budget 4")
        .contains("tokens/s (includes JIT warm-up; --warm-up N excludes it)");
    Result warm = Cli.run("generate", "--model", model.toString(), "--prompt-ids", "1", "--max-tokens", "5", "--policy", "full",
        "--budget", "4", "--threads", "1", "--warm-up", "3");
    assertThat(warm.out()).isEqualTo("461 461 401 401 401" + System.lineSeparator());
    assertThat(warm.errLines()).singleElement().asString().contains("tokens/s (after a 3-token warm-up)");

    Result text = Cli.run("generate", "--model", model.toString(), "--prompt", "Once upon a time");
    assertThat(text.exitCode()).isEqualTo(2);
    assertThat(text.errLines()).singleElement().asString().startsWith("model '" + model + "' carries no tokenizer");
  }

  @Test
  void promptPlusMaxTokensBeyondTheContextIsRefusedUnlessAllowed() {
    Path model = fixture("stories260K-f32.gguf");
    Result r = Cli.run("generate", "--model", model.toString(), "--prompt-ids", "1", "--max-tokens", "600");
    assertUsageError(r, "the prompt (1 tokens) plus --max-tokens 600 is 601 positions, beyond the model's context length 512; "
        + "lower --max-tokens, shorten the prompt, or pass --allow-context-overflow");
  }
}
