package org.recycledattention.api.provider;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.recycledattention.api.config.ConfigProperty;

/**
 * What a provider says about itself, as one value: its name, its one-line description and its keys.
 * The support bases of policies and backends take it, so that a provider states these once.
 *
 * @param name unique, {@code [a-z0-9][a-z0-9-]*}
 * @param description one line saying what it is
 * @param properties the keys it reads, prefix-stripped
 */
public record ProviderInfo(String name, String description, List<ConfigProperty<?>> properties) {
  public ProviderInfo {
    requireNonNull(name, "name is null");
    requireNonNull(description, "description is null");
    properties = List.copyOf(properties);
  }

  public ProviderInfo(String name, String description, ConfigProperty<?>... properties) {
    this(name, description, List.of(properties));
  }
}
