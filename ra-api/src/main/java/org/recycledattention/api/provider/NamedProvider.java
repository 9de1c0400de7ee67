package org.recycledattention.api.provider;

import java.util.List;
import org.recycledattention.api.config.ConfigProperty;

/**
 * What every provider found by {@code ProviderRegistry} has: a unique name, a description, the
 * configuration keys it reads and whether it can run here.
 *
 * <p>Implementations must have a public no-argument constructor (ServiceLoader), do no heavy work
 * in it (load native libraries lazily, as DJL's engine providers do), and be thread-safe.
 */
public interface NamedProvider {
  /** Unique, lower case, {@code [a-z0-9][a-z0-9-]*}: {@code recycled}, {@code cpu}. */
  String name();

  /** One line saying what it is. */
  String description();

  /** The keys this provider reads, relative to its prefix ({@code stride}, not {@code ra.policy.recycled.stride}). */
  List<ConfigProperty<?>> properties();

  /** Whether it can be used here; must not throw. Policies are always available. */
  default Availability availability() {
    return Availability.available("pure Java");
  }
}
