package org.recycledattention.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.tests.KitRunner.Outcome;
import org.recycledattention.tests.TestPolicies.Defect;

/**
 * The kit tests itself: the policy suite passes a correct policy and fails each deliberately broken
 * one in the check that is about its defect, with a message that says what went wrong and a seed that
 * reproduces it. The suites run programmatically (nested classes, which Surefire does not pick up).
 */
class KitCatchesBrokenPoliciesTest {
  @Test
  void correctPolicyPassesEveryCheck() {
    Map<String, Outcome> outcomes = KitRunner.run(Correct.class);
    assertThat(outcomes).hasSizeGreaterThanOrEqualTo(8);
    outcomes.forEach((method, o) -> assertThat(o.status()).as("%s: %s", method, o.throwable()).isEqualTo(TestExecutionResult.Status.SUCCESSFUL));
  }

  @Test
  void policyOverItsBudgetIsCaught() {
    Outcome o = KitRunner.run(OverBudget.class, "workingSetNeverExceedsBudget");
    assertThat(o.failed()).isTrue();
    assertThat(o.message()).contains("window-over-budget", "left 33 entries in the main store", "the budget is 32");
    assertThat(Arrays.stream(o.throwable().getSuppressed()).map(Throwable::getMessage))
        .anySatisfy(m -> assertThat(m).matches("reproduce with: -Dtest=OverBudget#workingSetNeverExceedsBudget -Dra\\.tests\\.seed=[0-9A-F]+"));
  }

  @Test
  void policyThatIsNotFullAttentionAtLargeBudgetIsCaught() {
    Outcome o = KitRunner.run(EvictsUnderBudget.class, "budgetAtLeastSequenceLengthGivesFullAttention");
    assertThat(o.failed()).isTrue();
    assertThat(o.message()).contains("differs from full attention");
  }

  @Test
  void partialPlanDuringPrefillIsCaught() {
    Map<String, Outcome> outcomes = KitRunner.run(PartialDuringPrefill.class);
    Outcome o = outcomes.get("plansAndOperationsAreLegalForDeclaredCapabilities");
    assertThat(o.failed()).isTrue();
    assertThat(o.message()).contains("planned Partial but a PREFILL step must be StepPlan.Full");
  }

  @Test
  void undeclaredScoresAreCaught() {
    Outcome o = KitRunner.run(UndeclaredScores.class, "plansAndOperationsAreLegalForDeclaredCapabilities");
    assertThat(o.failed()).isTrue();
    assertThat(o.message()).contains("without declaring SCORES");
  }

  @Test
  void undeclaredEvictionIsCaught() {
    Outcome o = KitRunner.run(UndeclaredEviction.class, "plansAndOperationsAreLegalForDeclaredCapabilities");
    assertThat(o.failed()).isTrue();
    assertThat(o.message()).contains("does not declare EVICTION");
  }

  @Test
  void nondeterministicPolicyIsCaught() {
    Outcome o = KitRunner.run(Nondeterministic.class, "sameSeedGivesSamePlansAndSelections");
    assertThat(o.failed()).isTrue();
    assertThat(o.message()).contains("second run of the same seed diverged");
  }

  @Test
  void stateLeakingAcrossSequencesIsCaught() {
    Outcome o = KitRunner.run(StateAcrossSequences.class, "freshSequenceDoesNotSeePreviousState");
    assertThat(o.failed()).isTrue();
    assertThat(o.message()).contains("sequence B run after sequence A");
  }

  @Test
  void configThatCrashesCreateIsCaught() {
    Outcome o = KitRunner.run(UncheckedConfig.class, "acceptedEdgeValuesRunOrAreRejectedNamingTheKey");
    assertThat(o.failed()).isTrue();
    assertThat(o.message()).contains("create() threw java.lang.IllegalArgumentException", "ra.policy.window-unchecked-config.extra-slack=");
  }

  @Test
  void configErrorThatDoesNotNameTheKeyIsCaught() {
    Outcome o = KitRunner.run(ConfigErrorWithoutKey.class, "acceptedEdgeValuesRunOrAreRejectedNamingTheKey");
    assertThat(o.failed()).isTrue();
    assertThat(o.message()).contains("must name the key");
  }

  @Test
  void seedPropertyReproducesTheFailure() {
    Outcome first = KitRunner.run(EvictsUnderBudget.class, "budgetAtLeastSequenceLengthGivesFullAttention");
    String line = Arrays.stream(first.throwable().getSuppressed()).map(Throwable::getMessage).filter(m -> m.startsWith("reproduce with"))
        .findFirst().orElseThrow();
    String seed = line.substring(line.indexOf("-Dra.tests.seed=") + "-Dra.tests.seed=".length());
    String previous = System.getProperty(TestSeed.PROPERTY);
    System.setProperty(TestSeed.PROPERTY, seed);
    try {
      Outcome again = KitRunner.run(EvictsUnderBudget.class, "budgetAtLeastSequenceLengthGivesFullAttention");
      Outcome third = KitRunner.run(EvictsUnderBudget.class, "budgetAtLeastSequenceLengthGivesFullAttention");
      assertThat(again.message()).isEqualTo(first.message());
      assertThat(third.message()).isEqualTo(first.message());
    } finally {
      if (previous == null) {
        System.clearProperty(TestSeed.PROPERTY);
      } else {
        System.setProperty(TestSeed.PROPERTY, previous);
      }
    }
  }

  /** The broken policies run on the kit's default backend (its reference), so these tests do not depend on the cpu backend. */
  @org.junit.jupiter.api.extension.ExtendWith(RunByKitRunnerOnly.class)
  abstract static class OnModelBackend extends BaseAttentionPolicyTestCase {
    /** One provider per test instance, so a policy that leaks state between its sequences can show it. */
    private final AttentionPolicyProvider provider;

    OnModelBackend(Defect defect) {
      this.provider = TestPolicies.window(defect);
    }

    @Override
    protected AttentionPolicyProvider provider() {
      return provider;
    }
  }

  static class Correct extends OnModelBackend {
    Correct() {
      super(Defect.NONE);
    }
  }

  static class OverBudget extends OnModelBackend {
    OverBudget() {
      super(Defect.OVER_BUDGET);
    }
  }

  static class EvictsUnderBudget extends OnModelBackend {
    EvictsUnderBudget() {
      super(Defect.EVICTS_UNDER_BUDGET);
    }
  }

  static class PartialDuringPrefill extends OnModelBackend {
    PartialDuringPrefill() {
      super(Defect.PARTIAL_DURING_PREFILL);
    }
  }

  static class UndeclaredScores extends OnModelBackend {
    UndeclaredScores() {
      super(Defect.UNDECLARED_SCORES);
    }
  }

  static class UndeclaredEviction extends OnModelBackend {
    UndeclaredEviction() {
      super(Defect.UNDECLARED_EVICTION);
    }
  }

  static class Nondeterministic extends OnModelBackend {
    Nondeterministic() {
      super(Defect.NONDETERMINISTIC);
    }
  }

  static class StateAcrossSequences extends OnModelBackend {
    StateAcrossSequences() {
      super(Defect.STATE_ACROSS_SEQUENCES);
    }
  }

  static class UncheckedConfig extends OnModelBackend {
    UncheckedConfig() {
      super(Defect.UNCHECKED_CONFIG);
    }
  }

  static class ConfigErrorWithoutKey extends OnModelBackend {
    ConfigErrorWithoutKey() {
      super(Defect.CONFIG_ERROR_WITHOUT_KEY);
    }
  }
}
