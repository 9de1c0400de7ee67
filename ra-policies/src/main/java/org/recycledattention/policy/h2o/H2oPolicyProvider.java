package org.recycledattention.policy.h2o;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.api.policy.support.AbstractPolicyProvider;
import org.recycledattention.api.provider.ProviderInfo;

/** Provider of {@code h2o} (heavy hitters plus recent tokens). Thread-safe. */
public final class H2oPolicyProvider extends AbstractPolicyProvider {
  public static final String NAME = "h2o";
  /** Fraction of the budget given to heavy hitters; the rest is the recent window. */
  public static final ConfigProperty<Double> HEAVY_RATIO = ConfigProperty.ofDouble("heavy-ratio", 0.5, 0.0, 1.0,
      "fraction of the budget kept as heavy hitters (largest accumulated attention); the rest are the most recent tokens");

  public H2oPolicyProvider() {
    super(new ProviderInfo(NAME,
        "H2O: keep the heavy hitters (largest accumulated attention) plus the most recent tokens, evicting the rest (budget K)", HEAVY_RATIO),
        Set.of(BackendCapability.EVICTION, BackendCapability.SCORES));
  }

  @Override
  protected AttentionPolicy newPolicy(PolicyConfig config, ModelShape shape) {
    int budget = config.budget();
    return new H2oPolicy(budget, heavyHitters(budget, config.properties().get(HEAVY_RATIO)), shape);
  }

  /**
   * {@code floor(budget · ratio)}, in decimal: the ratio as written ({@code 0.29}), not its binary
   * approximation, so that 0.29 of 100 is 29 and not 28.
   */
  static int heavyHitters(int budget, double ratio) {
    return new BigDecimal(Double.toString(ratio)).multiply(BigDecimal.valueOf(budget)).setScale(0, RoundingMode.FLOOR).intValueExact();
  }
}
