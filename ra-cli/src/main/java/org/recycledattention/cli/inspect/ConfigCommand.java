package org.recycledattention.cli.inspect;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.cli.common.ConfigOptions;
import org.recycledattention.cli.common.Json;
import org.recycledattention.cli.common.SelectionOptions;
import org.recycledattention.cli.common.Subcommand;
import org.recycledattention.engine.config.Configuration;
import org.recycledattention.engine.wiring.RaRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "config", mixinStandardHelpOptions = true,
    description = {"Print the effective configuration: every key, its value and where it came from.",
        "Layers, lowest first: default < --config file < environment (RA_POLICY, RA_BUDGET, RA_POLICY_RECYCLED_STRIDE, ...) < command line."})
public final class ConfigCommand extends Subcommand {
  @Mixin
  ConfigOptions config;

  @Mixin
  SelectionOptions selection;

  @Option(names = "--json", description = "Print the same as one JSON object.")
  boolean json;

  public ConfigCommand(Map<String, String> environment) {
    super(environment);
  }

  static String provenance(Configuration.Entry e) {
    return switch (e.source()) {
      case DEFAULT -> "default";
      case FILE -> "file " + e.origin();
      case ENVIRONMENT -> "env " + e.origin();
      case COMMAND_LINE -> "command line " + e.origin();
    };
  }

  @Override
  protected int run() {
    try (RaRuntime runtime = config.runtime(environment, selection.settings())) {
      runtime.checkSelection();
      List<Configuration.Entry> entries = runtime.effectiveConfiguration();
      Map<String, ConfigProperty<?>> declared = runtime.providers().declaredKeys();
      if (json) {
        Json j = new Json();
        ObjectNode root = j.object();
        ArrayNode keys = root.putArray("keys");
        for (Configuration.Entry e : entries) {
          ObjectNode o = keys.addObject();
          o.put("key", e.key());
          o.put("value", e.value());
          o.put("source", e.source().label());
          o.put("origin", e.origin());
          ConfigProperty<?> p = declared.get(e.key());
          o.put("type", p.type().name().toLowerCase(Locale.ROOT));
          o.put("default", p.defaultValue());
          o.put("allowed", p.allowed());
          o.put("description", p.description());
        }
        out().println(j.write(root));
        return 0;
      }
      int kw = entries.stream().mapToInt(e -> e.key().length()).max().orElse(0);
      int vw = entries.stream().mapToInt(e -> e.value().length()).max().orElse(0);
      for (Configuration.Entry e : entries) {
        out().printf("%-" + kw + "s  %-" + vw + "s  %s%n", e.key(), e.value(), provenance(e));
      }
      return 0;
    }
  }
}
