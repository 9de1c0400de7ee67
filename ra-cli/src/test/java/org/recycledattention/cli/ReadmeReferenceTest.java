package org.recycledattention.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README's configuration reference is what {@code ra config --json} says: every documented key exists with
 * the documented type, default, allowed values and description, and every key of a documented provider is
 * documented. (The reference once said {@code ra.backend.pytorch.threads} defaults to 0; it defaults to 1.)
 */
class ReadmeReferenceTest {
  private static final Path README = Path.of("..", "README.md");
  private static final Pattern ROW = Pattern.compile("^\\| `(ra\\.[^`]+)` \\| (\\w+) \\| `([^`]*)` \\| (.*?) \\| (.*) \\|$");
  private static final Pattern PROVIDER = Pattern.compile("^\\*\\*(Policy|Backend) `([a-z0-9-]+)`\\*\\*");

  /** A documented or declared key: type, default, allowed values and description as printed. */
  record Key(String type, String defaultValue, String allowed, String description) {}

  @Test
  void theConfigurationReferenceMatchesRaConfig() throws Exception {
    assumeTrue(Files.isRegularFile(README), "README.md not found at " + README.toAbsolutePath());
    Map<String, Key> documented = new LinkedHashMap<>();
    Map<String, String> prefixes = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(README);
    int start = lines.indexOf("### Reference");
    assertThat(start).as("README has a '### Reference' section").isPositive();
    for (String line : lines.subList(start, lines.size())) {
      if (line.startsWith("## ")) {
        break;
      }
      Matcher provider = PROVIDER.matcher(line);
      if (provider.find()) {
        String kind = provider.group(1).equals("Policy") ? "ra.policy." : "ra.backend.";
        prefixes.put(kind + provider.group(2) + ".", provider.group(2));
      }
      Matcher m = ROW.matcher(line);
      if (m.matches()) {
        documented.put(m.group(1), new Key(m.group(2), m.group(3), m.group(4).replace("\\|", "|"), m.group(5)));
      }
    }
    assertThat(documented).as("documented keys").isNotEmpty();

    Cli.Result r = Cli.run("config", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    Map<String, Key> declared = new LinkedHashMap<>();
    for (JsonNode k : new ObjectMapper().readTree(r.out()).get("keys")) {
      declared.put(k.get("key").asText(), new Key(k.get("type").asText(), k.get("default").asText(), k.get("allowed").asText(),
          k.get("description").asText()));
    }
    documented.forEach((key, doc) -> {
      assertThat(declared).as("README documents %s, which ra config does not know", key).containsKey(key);
      Key actual = declared.get(key);
      // ra.threads defaults to the processors of the machine; README says so in words
      Key expected = key.equals("ra.threads") ? new Key(doc.type(), actual.defaultValue(), doc.allowed(), doc.description()) : doc;
      assertThat(actual).as("README's row of %s", key).isEqualTo(expected);
    });
    declared.keySet().stream()
        .filter(key -> key.chars().filter(c -> c == '.').count() == 1 || prefixes.keySet().stream().anyMatch(key::startsWith))
        .forEach(key -> assertThat(documented).as("README's reference lacks %s", key).containsKey(key));
  }
}
