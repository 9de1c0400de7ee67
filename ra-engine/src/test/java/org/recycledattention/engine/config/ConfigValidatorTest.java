package org.recycledattention.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.config.ConfigProperty;

class ConfigValidatorTest {
  private static final ConfigProperty<Integer> STRIDE = ConfigProperty.ofInt("stride", 10, 1, Integer.MAX_VALUE,
      "a full step every stride decode steps");
  private static final ConfigProperty<Integer> POOL_KERNEL = ConfigProperty.ofInt("pool-kernel", 7, 1, Integer.MAX_VALUE, "max-pooling kernel")
      .withCheck(v -> v % 2 == 1, "an odd integer >= 1");
  private static final ConfigProperty<String> SCHEDULE = ConfigProperty.ofChoice("schedule", "fixed", List.of("fixed", "dynamic"),
      "when to do full steps");
  private static final ConfigProperty<String> DTYPE = ConfigProperty.ofChoice("dtype", "f32", List.of("f32", "f16"), "storage type");
  private static final Map<String, List<ConfigProperty<?>>> POLICIES = Map.of(
      "full", List.of(),
      "recycled", List.of(STRIDE, POOL_KERNEL, ConfigProperty.ofDouble("similarity-threshold", 0.85, -1, 1, "cosine threshold"), SCHEDULE));
  private static final Map<String, List<ConfigProperty<?>>> BACKENDS = Map.of("cpu", List.of(DTYPE));

  private static ValidatedConfig validate(Map<String, String> values) {
    return ConfigValidator.validate(Configuration.of(values), GlobalKeys.all(), POLICIES, BACKENDS);
  }

  @Test
  void defaultsApplyAndValuesArePrefixStripped() {
    ValidatedConfig c = validate(Map.of("ra.policy", "recycled", "ra.budget", "64", "ra.policy.recycled.stride", "3"));
    assertThat(c.policyName()).isEqualTo("recycled");
    assertThat(c.backendName()).isEqualTo("cpu");
    assertThat(c.budget()).isEqualTo(64);
    assertThat(c.policy("recycled").get(STRIDE)).isEqualTo(3);
    assertThat(c.policy("recycled").get(POOL_KERNEL)).isEqualTo(7);
    assertThat(c.policy("recycled").get(SCHEDULE)).isEqualTo("fixed");
    assertThat(c.backend("cpu").get(DTYPE)).isEqualTo("f32");
  }

  @Test
  void unknownKeyNamesTheKeyAndTheAllowedOnes() {
    assertThatThrownBy(() -> validate(Map.of("ra.policy.recycled.strid", "3")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unknown configuration key 'ra.policy.recycled.strid'; allowed: ra.policy.recycled.pool-kernel, "
            + "ra.policy.recycled.schedule, ra.policy.recycled.similarity-threshold, ra.policy.recycled.stride");
  }

  @Test
  void unknownProviderInKeyIsNamed() {
    assertThatThrownBy(() -> validate(Map.of("ra.policy.recyled.stride", "3")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("no attention policy named 'recyled'").hasMessageContaining("available: full, recycled");
  }

  @Test
  void wrongTypesAndRangesAreRejectedNamingKeyValueAndAllowed() {
    assertThatThrownBy(() -> validate(Map.of("ra.budget", "0")))
        .hasMessage("invalid value '0' for ra.budget: expected an integer >= 1");
    assertThatThrownBy(() -> validate(Map.of("ra.budget", "lots")))
        .hasMessage("invalid value 'lots' for ra.budget: expected an integer >= 1");
    assertThatThrownBy(() -> validate(Map.of("ra.policy.recycled.pool-kernel", "6")))
        .hasMessage("invalid value '6' for ra.policy.recycled.pool-kernel: expected an odd integer >= 1");
    assertThatThrownBy(() -> validate(Map.of("ra.policy.recycled.similarity-threshold", "1.5")))
        .hasMessage("invalid value '1.5' for ra.policy.recycled.similarity-threshold: expected a number in [-1, 1]");
    assertThatThrownBy(() -> validate(Map.of("ra.policy.recycled.similarity-threshold", "NaN")))
        .isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> validate(Map.of("ra.policy.recycled.schedule", "sometimes")))
        .hasMessage("invalid value 'sometimes' for ra.policy.recycled.schedule: expected one of fixed | dynamic");
    assertThatThrownBy(() -> validate(Map.of("budget", "3")))
        .hasMessageStartingWith("unknown configuration key 'budget'");
    assertThatThrownBy(() -> validate(Map.of("ra.polcy", "full")))
        .hasMessageStartingWith("unknown configuration key 'ra.polcy'; allowed: ra.backend, ra.budget, ra.policy");
  }

  @Test
  void layersOverrideInOrderAndRememberTheirSource(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("ra.properties");
    Files.writeString(file, "ra.budget=100\nra.policy=recycled\nra.policy.recycled.stride=5\n");
    Configuration c = Configuration.builder()
        .defaults(Map.of("ra.policy", "full"))
        .file(file)
        .environment(Map.of("RA_BUDGET", "200", "RA_POLICY_RECYCLED_POOL_KERNEL", "3", "PATH", "/bin", "RA_PLUGIN_PATH", "x"),
            List.of("ra.budget", "ra.policy", "ra.policy.recycled.pool-kernel", "ra.policy.recycled.stride"))
        .set("ra.policy.recycled.stride", "7", ConfigSource.COMMAND_LINE, "--set")
        .build();
    assertThat(c.entries().get("ra.policy").source()).isEqualTo(ConfigSource.FILE);
    assertThat(c.entries().get("ra.budget")).isEqualTo(new Configuration.Entry("ra.budget", "200", ConfigSource.ENVIRONMENT, "RA_BUDGET"));
    assertThat(c.entries().get("ra.policy.recycled.pool-kernel").value()).isEqualTo("3");
    assertThat(c.entries().get("ra.policy.recycled.stride").value()).isEqualTo("7");
    ValidatedConfig v = ConfigValidator.validate(c, GlobalKeys.all(), POLICIES, BACKENDS);
    assertThat(v.budget()).isEqualTo(200);
  }

  @Test
  void misspelledEnvironmentVariableIsAnError() {
    assertThatThrownBy(() -> Configuration.builder().environment(Map.of("RA_POLICY_RECYCLED_STRID", "3"), List.of("ra.policy.recycled.stride")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("RA_POLICY_RECYCLED_STRID");
  }

  @Test
  void missingConfigFileIsAnError(@TempDir Path dir) {
    assertThatThrownBy(() -> Configuration.builder().file(dir.resolve("nope.properties")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("nope.properties").hasMessageContaining("--config");
  }

  @Test
  void configExceptionsExitWithTwo() {
    assertThat(new ConfigException("x").exitCode()).isEqualTo(2);
  }
}
