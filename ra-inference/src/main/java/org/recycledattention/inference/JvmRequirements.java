package org.recycledattention.inference;

import org.recycledattention.api.RaException;

/** What the JVM must provide before any model code runs. */
public final class JvmRequirements {
  /** The JVM flag that adds the Vector API. */
  public static final String VECTOR_FLAG = "--add-modules jdk.incubator.vector";

  private JvmRequirements() {}

  /**
   * Checks that the Vector API module (the model's matrix kernels use it) is in the JVM, instead of
   * letting the first kernel fail with a {@link NoClassDefFoundError}.
   *
   * @throws RaException (exit 2) in one line naming the flag to add
   */
  public static void requireVectorApi() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      throw new Missing(
          "the JVM was started without the Vector API module, which the model kernels need; add "
              + VECTOR_FLAG
              + " to the java command line (the ra launcher adds it; for Maven's surefire put it in"
              + " argLine)");
    }
  }

  private static final class Missing extends RaException {
    Missing(String message) {
      super(message, null, USAGE_ERROR);
    }
  }
}
