package org.recycledattention.cli.common;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.recycledattention.api.RaException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of every {@code ra} subcommand: the process environment, stdout/stderr of the command line,
 * {@code --verbose}, and the translation of JVM errors into one-line failures.
 */
public abstract class Subcommand implements Callable<Integer> {
  protected final Map<String, String> environment;

  @Spec
  protected CommandSpec spec;

  @Mixin
  CommonOptions common;

  /** What is done so far, printed if the process is interrupted. Set by {@link Main}. */
  protected StatusLine status = new StatusLine();

  protected Subcommand(Map<String, String> environment) {
    this.environment = requireNonNull(environment, "environment is null");
  }

  protected PrintWriter out() {
    return spec.commandLine().getOut();
  }

  protected PrintWriter err() {
    return spec.commandLine().getErr();
  }

  @Override
  public final Integer call() throws Exception {
    try {
      return run();
    } catch (OutOfMemoryError e) {
      throw new RaException("out of memory (" + e.getMessage() + "); give the JVM more heap, e.g. RA_JAVA_OPTS=-Xmx16g, or use a smaller model or context", e);
    } catch (StackOverflowError e) {
      throw new RaException("stack overflow; give the JVM a larger stack, e.g. RA_JAVA_OPTS=-Xss8m", e);
    } catch (LinkageError e) {
      throw new RaException("a class or native library failed to load: " + e + "; check the class path and plugin jars", e);
    } finally {
      out().flush();
    }
  }

  /** The command's work; returns the exit code (0 on success). */
  protected abstract int run() throws Exception;

  /** Shares {@code status} with the process's interrupt hook ({@code Main} sets it on every command). */
  public final void useStatusLine(StatusLine status) {
    this.status = requireNonNull(status, "status is null");
  }
}
