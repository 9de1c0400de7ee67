package org.recycledattention.eval.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.BooleanSupplier;

/**
 * Runs untimed work until the JIT has gone quiet, so that what is timed next is compiled code. C2
 * compiles a decode path in the background for one to two seconds on 2 cores; timing before that
 * measures the compiler as much as the engine (the first 1K cell of bench-small ran at 634 to 866
 * tokens/s, the same cell again in the same JVM at 1,700 to 2,500).
 */
public final class JitWarmUp {
  private JitWarmUp() {}

  /** Whether this JVM tells compilation time, without which {@link #untilQuiet} runs nothing. */
  public static boolean available() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported();
  }

  /**
   * Calls {@code step} until the JIT has finished no compilation for {@code quietNanos}, {@code
   * maxNanos} have passed, {@code maxSteps} steps ran, or {@code step} returns false (nothing left to
   * run). Does nothing when the JVM cannot tell compilation time.
   *
   * @return the steps run
   */
  public static int untilQuiet(BooleanSupplier step, long quietNanos, long maxNanos, int maxSteps) {
    if (maxSteps < 1 || !available()) {
      return 0;
    }
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    long start = System.nanoTime();
    long compiled = jit.getTotalCompilationTime();
    long lastCompile = start;
    int steps = 0;
    while (steps < maxSteps) {
      long now = System.nanoTime();
      if (jit.getTotalCompilationTime() != compiled) {
        compiled = jit.getTotalCompilationTime();
        lastCompile = now;
      }
      if (now - lastCompile >= quietNanos || now - start >= maxNanos) {
        break;
      }
      steps++;
      if (!step.getAsBoolean()) {
        break;
      }
    }
    return steps;
  }
}
