package org.recycledattention.cli.inspect;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.provider.Availability;
import org.recycledattention.api.provider.NamedProvider;
import org.recycledattention.cli.common.Json;
import org.recycledattention.engine.registry.LoadFailure;
import org.recycledattention.engine.registry.ProviderRegistry;
import org.recycledattention.engine.registry.Providers;
import org.recycledattention.model.io.SafeText;

/**
 * What {@code ra policies} and {@code ra backends} print, as text or JSON: per provider its name,
 * availability with the reason, description, origin (the jar), budget use or capabilities, and every
 * declared key; then the providers that failed to load.
 *
 * <p>A provider's own methods are third-party code: an {@code availability()} that throws is shown
 * as "not available"; a {@code properties()} that throws fails the listing, naming the provider.
 */
public final class ProviderListing<P extends NamedProvider> {
  /** The longest a plugin's text (description, availability, key help) is shown in the text listing. */
  private static final int TEXT = 400;

  private final ProviderRegistry<P> registry;
  private final String prefix;
  private final Function<P, String> traits;
  private final Function<P, ObjectNode> jsonTraits;

  private ProviderListing(ProviderRegistry<P> registry, String prefix, Function<P, String> traits, Function<P, ObjectNode> jsonTraits) {
    this.registry = registry;
    this.prefix = prefix;
    this.traits = traits;
    this.jsonTraits = jsonTraits;
  }

  static ProviderListing<AttentionPolicyProvider> policies(ProviderRegistry<AttentionPolicyProvider> registry, Json json) {
    return new ProviderListing<>(registry, "ra.policy.",
        p -> (p.usesBudget() ? "uses ra.budget" : "ignores ra.budget") + "; needs backend capabilities: " + names(p.requiredCapabilities()),
        p -> {
          ObjectNode o = json.object();
          o.put("uses_budget", p.usesBudget());
          ArrayNode caps = o.putArray("required_capabilities");
          p.requiredCapabilities().stream().map(Enum::name).sorted().forEach(caps::add);
          return o;
        });
  }

  static ProviderListing<KvCacheBackendProvider> backends(ProviderRegistry<KvCacheBackendProvider> registry, Json json) {
    return new ProviderListing<>(registry, "ra.backend.",
        p -> "capabilities: " + names(p.capabilities()),
        p -> {
          ObjectNode o = json.object();
          ArrayNode caps = o.putArray("capabilities");
          p.capabilities().stream().map(Enum::name).sorted().forEach(caps::add);
          return o;
        });
  }

  private static String names(Set<BackendCapability> caps) {
    return caps.isEmpty() ? "none" : String.join(", ", caps.stream().map(Enum::name).sorted().toList());
  }

  private static Availability availability(NamedProvider p) {
    try {
      return p.availability();
    } catch (RuntimeException | LinkageError e) {
      return Availability.unavailable("availability() threw " + e);
    }
  }

  private static String typeName(ConfigProperty<?> p) {
    return p.type().name().toLowerCase(Locale.ROOT);
  }

  void printText(PrintWriter out) {
    List<P> providers = registry.providers();
    int width = providers.stream().mapToInt(p -> p.name().length()).max().orElse(0);
    for (P p : providers) {
      Availability a = availability(p);
      // a plugin's own text is escaped and cut: no terminal control sequence from a jar reaches the screen
      String detail = SafeText.of(a.detail(), TEXT);
      out.printf("%-" + width + "s  %s%n", p.name(), a.available() ? "available  " + detail : "not available: " + detail);
      out.println("    " + SafeText.of(p.description(), TEXT));
      out.println("    from " + ProviderRegistry.origin(p));
      out.println("    " + traits.apply(p));
      List<ConfigProperty<?>> keys = Providers.declaredKeys(p, registry.kind());
      if (keys.isEmpty()) {
        out.println("    keys: none");
        continue;
      }
      String base = prefix + p.name() + ".";
      int kw = keys.stream().mapToInt(k -> base.length() + k.key().length()).max().orElse(0);
      int tw = keys.stream().mapToInt(k -> typeName(k).length()).max().orElse(0);
      int dw = keys.stream().mapToInt(k -> k.defaultValue().length()).max().orElse(0);
      int aw = keys.stream().mapToInt(k -> k.allowed().length()).max().orElse(0);
      for (ConfigProperty<?> k : keys) {
        out.printf("    %-" + kw + "s  %-" + tw + "s  default %-" + dw + "s  %-" + aw + "s  %s%n",
            base + k.key(), typeName(k), SafeText.of(k.defaultValue(), TEXT), SafeText.of(k.allowed(), TEXT), SafeText.of(k.description(), TEXT));
      }
    }
    List<LoadFailure> failures = registry.failures();
    if (!failures.isEmpty()) {
      out.println();
      out.println("failed to load:");
      for (LoadFailure f : failures) {
        out.println("    " + f.describe(registry.kind().singular()));
      }
    }
  }

  ObjectNode toJson(Json json, String field) {
    ObjectNode root = json.object();
    ArrayNode list = root.putArray(field);
    for (P p : registry.providers()) {
      Availability a = availability(p);
      ObjectNode o = list.addObject();
      o.put("name", p.name());
      o.put("description", p.description());
      o.put("origin", ProviderRegistry.origin(p));
      o.put("available", a.available());
      o.put("availability", a.detail());
      o.setAll(jsonTraits.apply(p));
      ArrayNode keys = o.putArray("keys");
      for (ConfigProperty<?> k : Providers.declaredKeys(p, registry.kind())) {
        ObjectNode ko = keys.addObject();
        ko.put("key", prefix + p.name() + "." + k.key());
        ko.put("type", typeName(k));
        ko.put("default", k.defaultValue());
        ko.put("allowed", k.allowed());
        ko.put("description", k.description());
      }
    }
    ArrayNode failures = root.putArray("failures");
    for (LoadFailure f : registry.failures()) {
      ObjectNode o = failures.addObject();
      o.put("class", f.className());
      o.put("reason", f.reason());
    }
    return root;
  }
}
