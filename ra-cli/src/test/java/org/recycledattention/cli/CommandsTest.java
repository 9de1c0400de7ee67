package org.recycledattention.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.cli.Cli.Result;
import org.recycledattention.cli.testplugins.AlphaPolicy;
import org.recycledattention.cli.testplugins.BrokenKeysPolicy;
import org.recycledattention.cli.testplugins.GpuTestBackend;

/** {@code ra policies}, {@code ra backends}, {@code ra config} and the error contract, in-process. */
class CommandsTest {
  private static final List<String> BUILT_INS = List.of("full", "h2o", "local", "recycled", "snapkv");

  @TempDir
  Path tmp;

  private Path plugins() throws Exception {
    Path dir = tmp.resolve("plugins");
    Cli.pluginJar(dir, "test-plugin.jar", List.of(AlphaPolicy.class.getName()), List.of(GpuTestBackend.class.getName()));
    return dir;
  }

  private static JsonNode json(String text) throws Exception {
    return new ObjectMapper().readTree(text);
  }

  private static List<String> names(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.forEach(n -> out.add(n.get("name").asText()));
    return out;
  }

  private static void assertOneLineUsageError(Result r) {
    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
    assertThat(r.errLines()).as("stderr").hasSize(1);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void policiesJsonListsTheFiveBuiltInsWithTheirJarAndKeys() throws Exception {
    Result r = Cli.run("policies", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode root = json(r.out());
    assertThat(names(root.get("policies"))).containsExactlyElementsOf(BUILT_INS);
    JsonNode recycled = root.get("policies").get(3);
    assertThat(recycled.get("origin").asText()).contains("ra-policies");
    assertThat(recycled.get("available").asBoolean()).isTrue();
    assertThat(recycled.get("uses_budget").asBoolean()).isTrue();
    List<String> keys = new ArrayList<>();
    recycled.get("keys").forEach(k -> keys.add(k.get("key").asText()));
    assertThat(keys).contains("ra.policy.recycled.stride");
    assertThat(recycled.get("keys").get(0).fieldNames()).toIterable().containsExactly("key", "type", "default", "allowed", "description");
    assertThat(root.get("failures")).isEmpty();
  }

  @Test
  void pluginsAreListedWithTheirOriginAndAvailability() throws Exception {
    Result r = Cli.run("policies", "--json", "--plugin-path", plugins().toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(names(json(r.out()).get("policies"))).contains("alpha").containsAll(BUILT_INS);

    Result b = Cli.run("backends", "--json", "--plugin-path", plugins().toString());
    JsonNode gpu = null;
    for (JsonNode n : json(b.out()).get("backends")) {
      if (n.get("name").asText().equals("gpu-test")) {
        gpu = n;
      }
    }
    assertThat(gpu).isNotNull();
    assertThat(gpu.get("available").asBoolean()).isFalse();
    assertThat(gpu.get("availability").asText()).isEqualTo("no CUDA device");

    Result text = Cli.run(Map.of("RA_PLUGIN_PATH", plugins().toString()), "backends");
    assertThat(text.exitCode()).isZero();
    assertThat(text.out()).containsPattern("(?m)^gpu-test +not available: no CUDA device$")
        .containsPattern("(?m)^cpu +available +\\S")
        .contains("ra.backend.gpu-test.device");
  }

  @Test
  void aPluginThatFailsInItsOwnCodeIsARuntimeFailureInOneLine() throws Exception {
    Path dir = tmp.resolve("broken");
    Cli.pluginJar(dir, "broken.jar", List.of(BrokenKeysPolicy.class.getName()), List.of());
    Result r = Cli.run("policies", "--plugin-path", dir.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.errLines()).containsExactly("attention policy 'broken-keys' (" + BrokenKeysPolicy.class.getName() + " from "
        + Path.of(BrokenKeysPolicy.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        + ") failed to list its configuration keys: java.lang.IllegalStateException: keys resource missing from the plugin jar; fix or remove the plugin");
  }

  @Test
  void anUnknownPolicyExitsTwoWithTheExactMessage() {
    Result r = Cli.run("config", "--policy", "nope");
    assertOneLineUsageError(r);
    assertThat(r.err().strip()).isEqualTo("unknown attention policy 'nope'; available: full, h2o, local, recycled, snapkv (plugins load from --plugin-path)");
  }

  @Test
  void aMistypedKeyExitsTwoNamingTheKeyAndTheAllowedOnes() {
    Result r = Cli.run("config", "--set", "ra.policy.recycled.strid=3");
    assertOneLineUsageError(r);
    assertThat(r.err()).startsWith("unknown configuration key 'ra.policy.recycled.strid'; allowed: ")
        .contains("ra.policy.recycled.stride").contains("ra.policy.recycled.pool-kernel");
  }

  @Test
  void aMalformedSetExitsTwo() {
    Result r = Cli.run("config", "--set", "ra.budget");
    assertOneLineUsageError(r);
    assertThat(r.err().strip()).isEqualTo("malformed --set 'ra.budget'; expected key=value such as ra.policy.recycled.stride=3");
  }

  @Test
  void outOfRangeAndWrongTypeValuesExitTwo() {
    Result r = Cli.run("config", "--budget", "0");
    assertOneLineUsageError(r);
    assertThat(r.err().strip()).isEqualTo("invalid value '0' for ra.budget: expected an integer >= 1");
    Result t = Cli.run(Map.of("RA_POLICY_RECYCLED_STRIDE", "often"), "config");
    assertOneLineUsageError(t);
    assertThat(t.err().strip()).isEqualTo("invalid value 'often' for ra.policy.recycled.stride: expected an integer >= 1");
  }

  @Test
  void configPrintsEveryKeyWithItsValueAndWhereItCameFrom() throws Exception {
    Path file = Files.writeString(tmp.resolve("ra.properties"), "ra.budget=100\nra.policy.recycled.stride=4\nra.policy=h2o\n");
    Result r = Cli.run(Map.of("RA_BUDGET", "200", "RA_POLICY_H2O_HEAVY_RATIO", "0.25"),
        "config", "--config", file.toString(), "--policy", "recycled", "--set", "ra.policy.recycled.pool-kernel=5");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .containsPattern("(?m)^ra\\.budget +200 +env RA_BUDGET$")
        .containsPattern("(?m)^ra\\.policy +recycled +command line --policy$")
        .containsPattern("(?m)^ra\\.policy\\.recycled\\.stride +4 +file " + java.util.regex.Pattern.quote(file.toString()) + "$")
        .containsPattern("(?m)^ra\\.policy\\.recycled\\.pool-kernel +5 +command line --set$")
        .containsPattern("(?m)^ra\\.policy\\.h2o\\.heavy-ratio +0\\.25 +env RA_POLICY_H2O_HEAVY_RATIO$")
        .containsPattern("(?m)^ra\\.backend +cpu +default$")
        .containsPattern("(?m)^ra\\.threads +\\d+ +default$");

    Result j = Cli.run(Map.of("RA_BUDGET", "200"), "config", "--json");
    JsonNode budget = null;
    for (JsonNode k : json(j.out()).get("keys")) {
      if (k.get("key").asText().equals("ra.budget")) {
        budget = k;
      }
    }
    assertThat(budget).isNotNull();
    assertThat(budget.get("value").asText()).isEqualTo("200");
    assertThat(budget.get("source").asText()).isEqualTo("env");
    assertThat(budget.get("origin").asText()).isEqualTo("RA_BUDGET");
  }

  @Test
  void anUnavailableBackendIsRefusedWithItsReason() throws Exception {
    Result r = Cli.run("config", "--plugin-path", plugins().toString(), "--backend", "gpu-test");
    assertOneLineUsageError(r);
    assertThat(r.err()).startsWith("KV-cache backend 'gpu-test' is not available: no CUDA device;");
  }

  @Test
  void aMissingPluginDirectoryExitsTwoNamingIt() {
    Path missing = tmp.resolve("nowhere");
    Result r = Cli.run("policies", "--plugin-path", missing.toString());
    assertOneLineUsageError(r);
    assertThat(r.err()).startsWith("plugin directory '" + missing + "' does not exist");
  }

  @Test
  void usageErrorsAreOneLineWithExitTwo() {
    Result unknownOption = Cli.run("config", "--bugdet", "3");
    assertOneLineUsageError(unknownOption);
    assertThat(unknownOption.err()).contains("--bugdet").contains("(see 'ra config --help')");

    Result unknownCommand = Cli.run("polices");
    assertOneLineUsageError(unknownCommand);
    assertThat(unknownCommand.err()).contains("'polices'").contains("did you mean").contains("policies");

    Result nothing = Cli.run();
    assertThat(nothing.exitCode()).isEqualTo(2);
    assertThat(nothing.err()).contains("Usage: ra");
  }

  @Test
  void helpAndVersionSucceed() {
    Result help = Cli.run("config", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("--set=KEY=VALUE").contains("--plugin-path=DIR");
    assertThat(Cli.run("--version").out()).startsWith("ra ");
  }

  @Test
  void verboseAddsTheStackTrace() {
    Result r = Cli.run("config", "--budget", "0", "--verbose");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines().getFirst()).isEqualTo("invalid value '0' for ra.budget: expected an integer >= 1");
    assertThat(r.errLines()).hasSizeGreaterThan(3);
    assertThat(r.err()).contains("ConfigException").contains("\tat org.recycledattention.");
  }
}
