package org.recycledattention.cli.common;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.recycledattention.engine.registry.Plugins;
import picocli.CommandLine.Option;

/** {@code --plugin-path DIR}: directories of plugin jars; falls back to {@code RA_PLUGIN_PATH}. */
public final class PluginOptions {
  @Option(names = "--plugin-path", paramLabel = "DIR",
      description = "Directory of plugin jars (repeat, or separate with '${sys:path.separator}'). Default: $RA_PLUGIN_PATH.")
  public List<String> pluginPath = new ArrayList<>();

  /** The plugin path: the directories given, else those of {@code RA_PLUGIN_PATH}. */
  public List<Path> path(Map<String, String> environment) {
    return Plugins.path(pluginPath, environment);
  }

  /** Loads the plugin jars; the caller closes the result. */
  public Plugins load(Map<String, String> environment) {
    return Plugins.load(Plugins.path(pluginPath, environment));
  }
}
