package org.recycledattention.tests;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * One seed per test method, printed when the method fails so the failure can be replayed.
 *
 * <p>The seed is {@code -Dra.tests.seed=HEX} when that system property is set (every method then uses
 * it), else a fresh random one. On failure the exception gets a suppressed {@link Reproduce} whose
 * message reads {@code reproduce with: -Dtest=Class#method -Dra.tests.seed=HEX}, and the same line goes
 * to standard error. Aborted tests (assumptions) are left alone.
 *
 * <p>Register it as an instance field, so that each test method has its own:
 * <pre>{@code @RegisterExtension protected final TestSeed seed = new TestSeed();}</pre>
 * Not thread-safe (one per test instance).
 */
public final class TestSeed implements BeforeEachCallback, TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
  /** The system property that fixes the seed. */
  public static final String PROPERTY = "ra.tests.seed";

  private long seed = freshSeed();

  /** The seed of the running test method. */
  public long seed() {
    return seed;
  }

  /** A new random generator from the seed; call once per independent stream of data. */
  public SplittableRandom random() {
    return new SplittableRandom(seed);
  }

  /** The seed as the property takes it. */
  public String describe() {
    return format(seed);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    String fixed = System.getProperty(PROPERTY);
    seed = fixed == null || fixed.isBlank() ? freshSeed() : parse(fixed);
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    throw annotate(context, throwable);
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    throw annotate(context, throwable);
  }

  @Override
  public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    throw annotate(context, throwable);
  }

  private Throwable annotate(ExtensionContext context, Throwable throwable) {
    if (throwable instanceof TestAbortedException) {
      return throwable;
    }
    String test = context.getRequiredTestClass().getSimpleName() + context.getTestMethod().map(m -> "#" + m.getName()).orElse("");
    String line = "reproduce with: -Dtest=" + test + " -D" + PROPERTY + "=" + format(seed);
    throwable.addSuppressed(new Reproduce(line));
    System.err.println("[ra-tests] " + context.getDisplayName() + " failed; " + line);
    return throwable;
  }

  /** Parses a seed as printed (hexadecimal, optionally with {@code 0x}). */
  public static long parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.startsWith("0x")) {
      t = t.substring(2);
    }
    try {
      return Long.parseUnsignedLong(t, 16);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid -D" + PROPERTY + "=" + text + ": expected the hexadecimal seed a failed test printed", e);
    }
  }

  /** Formats a seed as {@link #parse} reads it. */
  public static String format(long seed) {
    return Long.toHexString(seed).toUpperCase(Locale.ROOT);
  }

  private static long freshSeed() {
    return new SecureRandom().nextLong();
  }

  /** Carries the reproduce line as a suppressed exception of a failure. */
  public static final class Reproduce extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Reproduce(String message) {
      super(message, null, false, false);
    }
  }
}
