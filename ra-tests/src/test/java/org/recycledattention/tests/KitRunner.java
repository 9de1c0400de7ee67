package org.recycledattention.tests;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** Runs a test class through the JUnit Platform launcher and reports each method's outcome. */
final class KitRunner {
  private KitRunner() {}

  /** Outcome of one test method. */
  record Outcome(TestExecutionResult.Status status, Throwable throwable) {
    boolean failed() {
      return status == TestExecutionResult.Status.FAILED;
    }

    String message() {
      return throwable == null ? "" : String.valueOf(throwable.getMessage());
    }
  }

  /** The outcome of one test method of {@code testClass}. */
  static Outcome run(Class<?> testClass, String method) {
    Outcome o = run(selectMethod(testClass, method)).get(method);
    if (o == null) {
      throw new AssertionError("no test method " + testClass.getSimpleName() + "#" + method + " ran");
    }
    return o;
  }

  /** Method name to outcome, for every test method of {@code testClass}. */
  static Map<String, Outcome> run(Class<?> testClass) {
    return run(selectClass(testClass));
  }

  private static Map<String, Outcome> run(DiscoverySelector selector) {
    Map<String, Outcome> outcomes = new LinkedHashMap<>();
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selector)
        .configurationParameter(RunByKitRunnerOnly.PARAMETER, "true").build();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(request, new TestExecutionListener() {
      @Override
      public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (id.getSource().orElse(null) instanceof MethodSource m) {
          outcomes.put(m.getMethodName(), new Outcome(result.getStatus(), result.getThrowable().orElse(null)));
        }
      }

      @Override
      public void executionSkipped(TestIdentifier id, String reason) {
        if (id.getSource().orElse(null) instanceof MethodSource m) {
          outcomes.put(m.getMethodName(), new Outcome(TestExecutionResult.Status.ABORTED, new RuntimeException(reason)));
        }
      }
    });
    return outcomes;
  }
}
