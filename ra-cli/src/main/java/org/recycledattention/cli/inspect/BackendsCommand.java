package org.recycledattention.cli.inspect;

import java.util.Map;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.cli.common.Json;
import org.recycledattention.cli.common.PluginOptions;
import org.recycledattention.cli.common.Subcommand;
import org.recycledattention.engine.registry.Plugins;
import org.recycledattention.engine.registry.ProviderRegistry;
import org.recycledattention.engine.registry.Providers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "backends", mixinStandardHelpOptions = true,
    description = "List the KV-cache backends: name, whether it runs here (and why not), description, the jar it came from, capabilities and configuration keys.")
public final class BackendsCommand extends Subcommand {
  @Mixin
  PluginOptions plugins;

  @Option(names = "--json", description = "Print the same as one JSON object.")
  boolean json;

  public BackendsCommand(Map<String, String> environment) {
    super(environment);
  }

  @Override
  protected int run() {
    try (Plugins loaded = plugins.load(environment)) {
      ProviderRegistry<KvCacheBackendProvider> registry = Providers.discover(loaded.classLoader()).backends();
      if (json) {
        Json j = new Json();
        out().println(j.write(ProviderListing.backends(registry, j).toJson(j, "backends")));
        return 0;
      }
      registry.requireAny();
      ProviderListing.backends(registry, new Json()).printText(out());
      return 0;
    }
  }
}
