package org.recycledattention.cli.inspect;

import java.util.Map;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.cli.common.Json;
import org.recycledattention.cli.common.PluginOptions;
import org.recycledattention.cli.common.Subcommand;
import org.recycledattention.engine.registry.Plugins;
import org.recycledattention.engine.registry.ProviderRegistry;
import org.recycledattention.engine.registry.Providers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "policies", mixinStandardHelpOptions = true,
    description = "List the attention policies: name, availability, description, the jar each came from, and its configuration keys.")
public final class PoliciesCommand extends Subcommand {
  @Mixin
  PluginOptions plugins;

  @Option(names = "--json", description = "Print the same as one JSON object.")
  boolean json;

  public PoliciesCommand(Map<String, String> environment) {
    super(environment);
  }

  @Override
  protected int run() {
    try (Plugins loaded = plugins.load(environment)) {
      ProviderRegistry<AttentionPolicyProvider> registry = Providers.discover(loaded.classLoader()).policies();
      if (json) {
        Json j = new Json();
        out().println(j.write(ProviderListing.policies(registry, j).toJson(j, "policies")));
        return 0;
      }
      registry.requireAny();
      ProviderListing.policies(registry, new Json()).printText(out());
      return 0;
    }
  }
}
