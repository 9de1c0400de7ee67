package org.recycledattention.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;

/**
 * The conformance suite of an {@link AttentionPolicyProvider}. Extend it and override {@link
 * #provider()}; override {@link #config()} to run the suite under other keys, {@link #backend()} to
 * run it over a real backend instead of the kit's {@link ReferenceBackend}.
 *
 * <p>Every check drives the policy as the engine does ({@link PolicyDriver}: per step and layer
 * append, plan, attend, observe through a {@link RecordingWorkingSet}) on seeded random queries,
 * keys and values, and on every step checks that:
 * <ul>
 *   <li>PREFILL and PREFILL_END plans are {@code StepPlan.Full}, and a PREFILL step changes nothing;
 *   <li>a {@code StepPlan.Partial} comes only with {@link BackendCapability#PARTIAL_CACHE} declared
 *       and a partial cache present; scores are asked only with {@link BackendCapability#SCORES};
 *   <li>evict/retain only with {@link BackendCapability#EVICTION}, gatherPartial/appendToPartial only
 *       with {@link BackendCapability#PARTIAL_CACHE};
 *   <li>after every PREFILL_END and DECODE step of a policy that {@link
 *       AttentionPolicyProvider#usesBudget() uses a budget}, the partial cache (a policy declaring
 *       PARTIAL_CACHE) or else the main store holds at most {@code budget} entries.
 * </ul>
 * and, test by test: full attention's exact floats when the budget covers the sequence, the budget
 * bound over a long run, determinism per seed, isolation between sequences, and configuration errors
 * that name the key.
 */
public abstract class BaseAttentionPolicyTestCase {
  /** The seed of each test method; printed on failure. */
  @RegisterExtension
  protected final TestSeed seed = new TestSeed();

  private AttentionPolicyProvider policyProvider;
  private KvCacheBackend backend;

  /** The provider under test. */
  protected abstract AttentionPolicyProvider provider();

  /** The provider's keys (prefix-stripped, {@code stride=4}) every check runs with. Default: none. */
  protected Map<String, String> config() {
    return Map.of();
  }

  /** The backend the policy runs over. Default: the kit's {@link ReferenceBackend}, so a policy's suite needs no real backend. */
  protected KvCacheBackendProvider backend() {
    return new ReferenceBackend();
  }

  /** The backend's keys. Default: none. */
  protected Map<String, String> backendConfig() {
    return Map.of();
  }

  @BeforeEach
  final void openBackend() {
    policyProvider = provider();
    assertThat(policyProvider).as("provider()").isNotNull();
    KvCacheBackendProvider b = backend();
    assumeTrue(b.isAvailable(), () -> "backend '" + b.name() + "' is not available here: " + b.availability().detail());
    backend = Providers.create(b, backendConfig());
    Set<BackendCapability> missing = EnumSet.noneOf(BackendCapability.class);
    missing.addAll(policyProvider.requiredCapabilities());
    missing.removeAll(backend.capabilities());
    assumeTrue(missing.isEmpty(), () -> "backend '" + b.name() + "' lacks " + missing + " required by policy '" + policyProvider.name() + "'");
  }

  @AfterEach
  final void closeBackend() {
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  public void providerDescribesItself() {
    AttentionPolicyProvider p = policyProvider;
    assertThat(p.name()).as("name()").matches("[a-z0-9][a-z0-9-]*");
    assertThat(p.description()).as("description() of '%s'", p.name()).isNotBlank();
    assertThat(p.requiredCapabilities()).as("requiredCapabilities() of '%s'", p.name()).isNotNull().doesNotContainNull();
    assertThat(p.availability().available()).as("policies are always available: availability() of '%s'", p.name()).isTrue();
    List<String> keys = p.properties().stream().map(ConfigProperty::key).toList();
    assertThat(keys).as("declared keys of '%s'", p.name()).doesNotHaveDuplicates();
    // every default is valid, and the policy starts with the defaults
    ProviderConfig defaults = Providers.config(p, Map.of());
    assertThat(p.create(new PolicyConfig(32, defaults), PolicyDriver.shape(seed.random()))).as("create() with the defaults").isNotNull();
  }

  /** With a budget of at least the whole sequence, every output equals full attention's, float for float. */
  @Test
  public void budgetAtLeastSequenceLengthGivesFullAttention() {
    SplittableRandom r = seed.random();
    ModelShape shape = PolicyDriver.shape(r);
    PolicyDriver.Script script = script(r, shape, 40 + r.nextInt(100), 24 + r.nextInt(40));
    int budget = script.totalTokens() + r.nextInt(script.totalTokens() + 1);
    PolicyDriver.Trace reference = PolicyDriver.run(new PolicyDriver.Contract("reference full attention", Set.of(), false, budget),
        new PolicyDriver.FullAttention(), backend, script);
    PolicyDriver.Trace actual = run(budget, create(budget, shape), script);
    assertThat(actual.outputs()).as("attention calls").hasSameSizeAs(reference.outputs());
    for (int i = 0; i < reference.outputs().size(); i++) {
      float[] want = reference.outputs().get(i);
      float[] got = actual.outputs().get(i);
      for (int j = 0; j < want.length; j++) {
        if (Float.floatToIntBits(want[j]) != Float.floatToIntBits(got[j])) {
          fail("policy '%s' with budget %d >= sequence length %d differs from full attention at attention call %d (%s), output element %d: "
              + "%s, full attention %s (%s)", policyProvider.name(), budget, script.totalTokens(), i, findPlan(actual.events(), i), j,
              got[j], want[j], script);
        }
      }
    }
  }

  /** A long run (prompt 300, 200 decode steps, budget 32): the bound holds after every step. */
  @Test
  public void workingSetNeverExceedsBudget() {
    assumeTrue(policyProvider.usesBudget(), () -> "policy '" + policyProvider.name() + "' does not use a budget");
    SplittableRandom r = seed.random();
    ModelShape shape = PolicyDriver.shape(r);
    PolicyDriver.Script script = script(r, shape, 300, 200);
    int budget = 32;
    PolicyDriver.Trace trace = run(budget, create(budget, shape), script); // the driver checks the bound at every step
    assertThat(trace.outputs()).isNotEmpty();
  }

  /** Two runs of one seed make the same plans, the same working-set operations and the same outputs. */
  @Test
  public void sameSeedGivesSamePlansAndSelections() {
    SplittableRandom r = seed.random();
    ModelShape shape = PolicyDriver.shape(r);
    PolicyDriver.Script script = script(r, shape, 60 + r.nextInt(140), 30 + r.nextInt(60));
    int budget = 8 + r.nextInt(41);
    PolicyDriver.Trace first = run(budget, create(budget, shape), script);
    PolicyDriver.Trace second = run(budget, create(budget, shape), script);
    assertSameTrace(second, first, "second run of the same seed");
  }

  /** Run A, then B, then B again on a fresh instance: both runs of B are identical. */
  @Test
  public void freshSequenceDoesNotSeePreviousState() {
    SplittableRandom r = seed.random();
    ModelShape shape = PolicyDriver.shape(r);
    int budget = 8 + r.nextInt(41);
    PolicyDriver.Script a = script(r, shape, 60 + r.nextInt(140), 30 + r.nextInt(60));
    PolicyDriver.Script b = script(r, shape, 60 + r.nextInt(140), 30 + r.nextInt(60));
    AttentionPolicy first = create(budget, shape);
    run(budget, first, a);
    PolicyDriver.Trace bAfterA = run(budget, create(budget, shape), b);
    PolicyDriver.Trace bAlone = run(budget, create(budget, shape), b);
    assertSameTrace(bAfterA, bAlone, "sequence B run after sequence A (vs. B again on a fresh instance)");
  }

  /**
   * A random run with a small random budget (8..48, as in the other random runs: below 8 a policy
   * may rightly refuse its defaults, e.g. local's 4 sink tokens need K > 4); the driver checks every
   * plan and operation.
   */
  @Test
  public void plansAndOperationsAreLegalForDeclaredCapabilities() {
    SplittableRandom r = seed.random();
    ModelShape shape = PolicyDriver.shape(r);
    PolicyDriver.Script script = script(r, shape, 20 + r.nextInt(200), 20 + r.nextInt(80));
    int budget = 8 + r.nextInt(41);
    PolicyDriver.Trace trace = run(budget, create(budget, shape), script);
    assertThat(trace.events()).isNotEmpty();
  }

  /**
   * Every declared key, given a value its declaration rejects (an integer below the minimum or above
   * the maximum, a number out of range, {@code NaN}, not a number, an unknown choice, {@code maybe}
   * for a boolean), fails with a {@link ConfigException} naming {@code ra.policy.<name>.<key>}, on
   * the engine's path (validation, then {@code create}).
   */
  @Test
  public void invalidValuesAreRejectedNamingTheKey() {
    AttentionPolicyProvider p = policyProvider;
    List<String> checked = new ArrayList<>();
    for (ConfigProperty<?> property : p.properties()) {
      String qualified = "ra.policy." + p.name() + "." + property.key();
      for (String bad : invalidValues(property)) {
        Throwable thrown = null;
        try {
          createThroughValidator(property.key(), bad);
        } catch (Throwable t) {
          thrown = t;
        }
        if (thrown == null) {
          fail("policy '%s' accepted the invalid value '%s' for %s (declared as %s)", p.name(), bad, qualified, property);
        }
        if (!(thrown instanceof ConfigException) || thrown.getMessage() == null || !thrown.getMessage().contains(qualified)) {
          throw new AssertionError("policy '" + p.name() + "' rejected '" + bad + "' for " + qualified
              + " with an error that is not a ConfigException naming the key: " + thrown, thrown);
        }
        checked.add(qualified + "=" + bad);
      }
    }
    boolean hasCheckable = p.properties().stream().anyMatch(prop -> prop.type() != ConfigProperty.Type.STRING);
    if (hasCheckable) {
      assertThat(checked).as("invalid values tried").isNotEmpty();
    }
  }

  /**
   * Edge values a declaration accepts (0, 1, -1, the extremes of int, the declared bounds, every
   * choice) either make a policy that runs a short sequence within every check, or are refused by
   * {@code create} with a {@link ConfigException} naming the key; never another exception.
   */
  @Test
  public void acceptedEdgeValuesRunOrAreRejectedNamingTheKey() {
    AttentionPolicyProvider p = policyProvider;
    SplittableRandom r = seed.random();
    ModelShape shape = PolicyDriver.shape(r);
    PolicyDriver.Script script = script(r, shape, 24 + r.nextInt(24), 8);
    int budget = 8;
    for (ConfigProperty<?> property : p.properties()) {
      String qualified = "ra.policy." + p.name() + "." + property.key();
      for (String value : edgeValues(property)) {
        try {
          property.parse(qualified, value);
        } catch (ConfigException e) {
          continue; // the declaration rejects it: covered by invalidValuesAreRejectedNamingTheKey
        }
        Map<String, String> values = new HashMap<>(config());
        values.put(property.key(), value);
        AttentionPolicy policy;
        try {
          policy = p.create(Providers.policyConfig(p, budget, values), shape);
        } catch (ConfigException e) {
          assertThat(e.getMessage()).as("ConfigException of create() for %s=%s must name the key", qualified, value).contains(qualified);
          continue;
        } catch (RuntimeException e) {
          throw new AssertionError("policy '" + p.name() + "': create() threw " + e + " for the accepted value " + qualified + "=" + value
              + " (budget " + budget + "); declare the allowed range in its ConfigProperty or throw a ConfigException naming the key", e);
        }
        try {
          PolicyDriver.run(contract(budget), policy, backend, script);
        } catch (RuntimeException e) {
          throw new AssertionError("policy '" + p.name() + "' with the accepted value " + qualified + "=" + value + " (budget " + budget
              + ") failed while running " + script + ": " + e, e);
        }
      }
    }
  }

  // ---- helpers

  /** A run of the policy under test with the driver's checks. */
  private PolicyDriver.Trace run(int budget, AttentionPolicy policy, PolicyDriver.Script script) {
    return PolicyDriver.run(contract(budget), policy, backend, script);
  }

  private PolicyDriver.Contract contract(int budget) {
    return new PolicyDriver.Contract(policyProvider.name(), policyProvider.requiredCapabilities(), policyProvider.usesBudget(), budget);
  }

  private PolicyDriver.Script script(SplittableRandom r, ModelShape shape, int prompt, int decode) {
    return PolicyDriver.script(r, shape, prompt, decode, backend.capabilities().contains(BackendCapability.MULTI_QUERY));
  }

  private AttentionPolicy create(int budget, ModelShape shape) {
    AttentionPolicy policy = policyProvider.create(Providers.policyConfig(policyProvider, budget, config()), shape);
    assertThat(policy).as("create() of '%s'", policyProvider.name()).isNotNull();
    return policy;
  }

  private void createThroughValidator(String key, String value) {
    AttentionPolicyProvider p = policyProvider;
    Map<String, String> raw = new HashMap<>(config());
    raw.put(key, value);
    p.create(Providers.policyConfig(p, 32, raw), PolicyDriver.shape(seed.random()));
  }

  private void assertSameTrace(PolicyDriver.Trace actual, PolicyDriver.Trace expected, String what) {
    List<String> a = actual.events();
    List<String> e = expected.events();
    for (int i = 0; i < Math.min(a.size(), e.size()); i++) {
      if (!a.get(i).equals(e.get(i))) {
        fail("policy '%s': %s diverged at event %d:%n  got      %s%n  expected %s", policyProvider.name(), what, i, a.get(i), e.get(i));
      }
    }
    assertThat(a).as("policy '%s': events of %s", policyProvider.name(), what).hasSameSizeAs(e);
    for (int i = 0; i < expected.outputs().size(); i++) {
      if (!Arrays.equals(actual.outputs().get(i), expected.outputs().get(i))) {
        fail("policy '%s': %s has other outputs at attention call %d (%s)", policyProvider.name(), what, i, findPlan(actual.events(), i));
      }
    }
  }

  private static String findPlan(List<String> events, int call) {
    int n = 0;
    for (String e : events) {
      if (e.contains(" plan ")) {
        if (n++ == call) {
          return e;
        }
      }
    }
    return "?";
  }

  private static final Pattern INT_RANGE = Pattern.compile("an integer (?:>= (-?\\d+)|in \\[(-?\\d+), (-?\\d+)\\])");
  private static final Pattern DOUBLE_RANGE = Pattern.compile("a number in \\[([^,\\]]+), ([^,\\]]+)\\]");

  /** Values the declaration rejects, derived from its type, its declared bounds and probing. */
  static List<String> invalidValues(ConfigProperty<?> p) {
    String key = "probe." + p.key();
    Set<String> out = new LinkedHashSet<>();
    switch (p.type()) {
      case INT -> {
        out.add("not-a-number");
        out.add("1.5");
        out.add("99999999999");
        Matcher m = INT_RANGE.matcher(p.allowed());
        if (m.matches()) {
          long min = Long.parseLong(m.group(1) != null ? m.group(1) : m.group(2));
          if (min > Integer.MIN_VALUE) {
            out.add(Long.toString(min - 1));
          }
          if (m.group(3) != null && Long.parseLong(m.group(3)) < Integer.MAX_VALUE) {
            out.add(Long.toString(Long.parseLong(m.group(3)) + 1));
          }
        }
        long def = Long.parseLong(p.defaultValue());
        for (int dir : new int[] {-1, 1}) { // the nearest rejected value below and above the default
          for (long step = 1; step <= (1L << 32); step <<= 1) {
            long v = def + dir * step;
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
              break;
            }
            if (!accepts(p, key, Long.toString(v))) {
              out.add(Long.toString(v));
              break;
            }
          }
        }
      }
      case DOUBLE -> {
        out.add("not-a-number");
        out.add("NaN");
        Matcher m = DOUBLE_RANGE.matcher(p.allowed());
        if (m.matches()) {
          double min = Double.parseDouble(m.group(1));
          double max = Double.parseDouble(m.group(2));
          if (min > -Double.MAX_VALUE) {
            out.add(Double.toString(min - Math.max(1e-9, Math.abs(min) * 1e-9)));
          }
          if (max < Double.MAX_VALUE) {
            out.add(Double.toString(max + Math.max(1e-9, Math.abs(max) * 1e-9)));
          }
        }
        double def = Double.parseDouble(p.defaultValue());
        for (int dir : new int[] {-1, 1}) {
          for (double step = 0.25; step <= 1e300; step *= 4) {
            String v = Double.toString(def + dir * step);
            if (!accepts(p, key, v)) {
              out.add(v);
              break;
            }
          }
        }
      }
      case BOOLEAN -> out.add("maybe");
      case CHOICE -> out.add("no-such-value");
      case STRING -> { } // any text is valid as far as the declaration knows
    }
    out.removeIf(v -> accepts(p, key, v)); // only what the declaration really rejects
    return List.copyOf(out);
  }

  /** Edge values to try as accepted values. */
  static List<String> edgeValues(ConfigProperty<?> p) {
    Set<String> out = new LinkedHashSet<>();
    switch (p.type()) {
      case INT -> {
        for (long v : new long[] {Integer.MIN_VALUE, -1, 0, 1, 2, 3, 1_000_000, Integer.MAX_VALUE}) {
          out.add(Long.toString(v));
        }
        Matcher m = INT_RANGE.matcher(p.allowed());
        if (m.matches()) {
          out.add(m.group(1) != null ? m.group(1) : m.group(2));
          if (m.group(3) != null) {
            out.add(m.group(3));
          }
        }
      }
      case DOUBLE -> {
        for (String v : new String[] {"-1e300", "-1", "0", "0.5", "1", "1e300"}) {
          out.add(v);
        }
        Matcher m = DOUBLE_RANGE.matcher(p.allowed());
        if (m.matches()) {
          out.add(m.group(1));
          out.add(m.group(2));
        }
      }
      case BOOLEAN -> {
        out.add("true");
        out.add("false");
      }
      case CHOICE -> out.addAll(p.choices());
      case STRING -> out.add(p.defaultValue());
    }
    return List.copyOf(out);
  }

  private static boolean accepts(ConfigProperty<?> p, String key, String value) {
    try {
      p.parse(key, value);
      return true;
    } catch (ConfigException e) {
      return false;
    }
  }
}
