package org.recycledattention.cli.common;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.recycledattention.api.RaException;
import org.recycledattention.model.io.SafeText;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of every {@code ra} subcommand: the process environment, stdout/stderr of the command line,
 * {@code --verbose}, and the translation of JVM errors into one-line failures: out of memory, stack
 * overflow and linkage errors get advice; a fault on a truncated mapped file gets its own message;
 * any other {@link Error} (a plugin's {@link AssertionError}) is wrapped in an {@link UncaughtError}
 * so that the command line reports it in one line like an exception.
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
      throw new RaException("a class or native library failed to load: " + SafeText.of(e.toString()) + "; check the class path and plugin jars", e);
    } catch (InternalError e) {
      if (e.getMessage() != null && e.getMessage().contains("unsafe memory access")) {
        throw new RaException("a memory-mapped file was truncated or changed while it was being read (" + SafeText.of(e.getMessage())
            + "); do not modify model files while ra runs, or pass --no-mmap to read the model into memory", e);
      }
      throw new UncaughtError(e);
    } catch (Error e) {
      throw new UncaughtError(e);
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
