package org.recycledattention.cli;

import java.util.Map;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.registry.ProviderRegistry;
import org.recycledattention.engine.wiring.Plugins;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "policies", mixinStandardHelpOptions = true,
    description = "List the attention policies: name, availability, description, the jar each came from, and its configuration keys.")
final class PoliciesCommand extends Subcommand {
  @Mixin
  PluginOptions plugins;

  @Option(names = "--json", description = "Print the same as one JSON object.")
  boolean json;

  PoliciesCommand(Map<String, String> environment) {
    super(environment);
  }

  @Override
  int run() {
    try (Plugins loaded = plugins.load(environment)) {
      ProviderRegistry<AttentionPolicyProvider> registry = ProviderRegistry.of(AttentionPolicyProvider.class, ProviderRegistry.Kind.POLICY, loaded.classLoader());
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
