package org.recycledattention.api.provider;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.recycledattention.api.config.ConfigProperty;

/**
 * A {@link NamedProvider} that states its name, description and keys once, as a {@link ProviderInfo}
 * given to its constructor. The support bases of policies and backends extend it.
 */
public abstract class AbstractProvider implements NamedProvider {
  private final ProviderInfo info;

  protected AbstractProvider(ProviderInfo info) {
    this.info = requireNonNull(info, "info is null");
  }

  @Override
  public final String name() {
    return info.name();
  }

  @Override
  public final String description() {
    return info.description();
  }

  @Override
  public final List<ConfigProperty<?>> properties() {
    return info.properties();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + info.name() + "]";
  }
}
