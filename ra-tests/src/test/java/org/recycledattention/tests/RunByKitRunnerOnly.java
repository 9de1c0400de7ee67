package org.recycledattention.tests;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables the deliberately broken test classes unless {@link KitRunner} runs them (it sets the
 * configuration parameter {@value #PARAMETER}), so that a build that discovers them by another path
 * (a {@code -Dtest=} pattern, an IDE) does not report their intended failures.
 */
final class RunByKitRunnerOnly implements ExecutionCondition {
  static final String PARAMETER = "ra.tests.kit-runner";

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return context.getConfigurationParameter(PARAMETER).isPresent()
        ? ConditionEvaluationResult.enabled("run by KitRunner")
        : ConditionEvaluationResult.disabled("a deliberately broken provider; KitCatchesBroken*Test runs it through KitRunner");
  }
}
