package org.recycledattention.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader.Provider;
import java.util.ServiceLoader;
import org.recycledattention.api.RaException;
import org.recycledattention.cli.bench.BenchCommand;
import org.recycledattention.cli.common.CommandExtension;
import org.recycledattention.cli.common.CommonOptions;
import org.recycledattention.cli.common.StatusLine;
import org.recycledattention.cli.common.Subcommand;
import org.recycledattention.cli.common.UncaughtError;
import org.recycledattention.cli.eval.DemoCommand;
import org.recycledattention.cli.eval.EvalCommand;
import org.recycledattention.cli.eval.EvalFidelityCommand;
import org.recycledattention.cli.eval.EvalRulerCommand;
import org.recycledattention.cli.generate.GenerateCommand;
import org.recycledattention.cli.inspect.BackendsCommand;
import org.recycledattention.cli.inspect.ConfigCommand;
import org.recycledattention.cli.inspect.PoliciesCommand;
import org.recycledattention.cli.model.ExportGgufCommand;
import org.recycledattention.cli.model.TokenizeCommand;
import org.recycledattention.cli.serve.LoadTestCommand;
import org.recycledattention.cli.serve.ServeCommand;
import org.recycledattention.model.io.SafeText;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/**
 * Entry point of the {@code ra} command line. {@link #execute} runs one command in-process (tests
 * call it with their own streams and environment); {@link #main} runs it on the process's and
 * exits with its code.
 *
 * <p>Errors: a {@link RaException} prints its message and exits with its {@link
 * RaException#exitCode()}; a usage error (unknown option, missing argument) exits 2; anything else,
 * {@link Error}s included, exits 1. Always one line on stderr, with control characters escaped and
 * cut to a bound ({@link SafeText#line}); {@code --verbose} adds the stack trace. An exception that
 * escapes another thread is reported the same way instead of by the JVM's default handler.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8));
    PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
    StatusLine status = new StatusLine();
    boolean verbose = List.of(args).contains(CommonOptions.VERBOSE);
    // an exception escaping another thread: one line, as on the main thread (the JVM's default prints a trace)
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
      synchronized (err) {
        err.println(SafeText.line(describe(e) + " in thread " + thread.getName()) + (verbose ? "" : " (run with --verbose for the stack trace)"));
        if (verbose) {
          e.printStackTrace(err);
        }
        err.flush();
      }
    });
    // Ctrl-C or SIGTERM: the JVM runs shutdown hooks and exits; say what was done (reports are atomic, see OutputFiles)
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (!status.finished()) {
        out.flush();
        String line = status.report();
        synchronized (err) {
          err.println();
          err.println(SafeText.line(line));
          err.flush();
        }
      }
    }, "ra-interrupt"));
    int code;
    try {
      code = execute(args, out, err, System.getenv(), status);
    } finally {
      status.finish();
    }
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * Runs {@code ra args} with these streams and this environment (for {@code RA_*} variables).
   *
   * @return the exit code: 0 success, 1 runtime failure, 2 usage or configuration error
   */
  public static int execute(String[] args, PrintWriter out, PrintWriter err, Map<String, String> environment) {
    return execute(args, out, err, environment, new StatusLine());
  }

  static int execute(String[] args, PrintWriter out, PrintWriter err, Map<String, String> environment, StatusLine status) {
    CommandLine cmd = commandLine(environment);
    setStatus(cmd, status);
    cmd.setOut(out);
    cmd.setErr(err);
    try {
      return cmd.execute(args);
    } catch (RuntimeException | Error e) {
      // escaped picocli's handlers (an Error outside a command's run, a failing help renderer): still one line
      return failure(e instanceof Error error ? new UncaughtError(error) : (Exception) e, cmd, cmd.getParseResult());
    } finally {
      out.flush();
      err.flush();
    }
  }

  static CommandLine commandLine(Map<String, String> environment) {
    Map<String, String> env = Map.copyOf(environment);
    CommandLine cmd = new CommandLine(new RaCommand());
    cmd.addSubcommand("policies", new PoliciesCommand(env));
    cmd.addSubcommand("backends", new BackendsCommand(env));
    cmd.addSubcommand("config", new ConfigCommand(env));
    cmd.addSubcommand("generate", new GenerateCommand(env));
    cmd.addSubcommand("tokenize", new TokenizeCommand(env));
    CommandLine eval = new CommandLine(new EvalCommand());
    eval.addSubcommand("fidelity", new EvalFidelityCommand(env));
    eval.addSubcommand("ruler", new EvalRulerCommand(env));
    cmd.addSubcommand("eval", eval);
    cmd.addSubcommand("bench", new BenchCommand(env));
    cmd.addSubcommand("demo", new DemoCommand(env));
    cmd.addSubcommand("export-gguf", new ExportGgufCommand(env));
    cmd.addSubcommand("serve", new ServeCommand(env));
    cmd.addSubcommand("load-test", new LoadTestCommand(env));
    for (CommandExtension extension : extensions()) {
      cmd.addSubcommand(extension.name(), extension.create(env));
    }
    cmd.addSubcommand("help", new CommandLine.HelpCommand());
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.setParameterExceptionHandler(Main::usageError);
    cmd.setExecutionExceptionHandler(Main::failure);
    return cmd;
  }

  /** The commands other modules add (train-probe from ra-train), by name. */
  private static List<CommandExtension> extensions() {
    return ServiceLoader.load(CommandExtension.class, Main.class.getClassLoader()).stream().map(Provider::get)
        .sorted(Comparator.comparing(CommandExtension::name)).toList();
  }

  private static void setStatus(CommandLine cmd, StatusLine status) {
    if (cmd.getCommand() instanceof Subcommand sub) {
      sub.useStatusLine(status);
    }
    for (CommandLine child : cmd.getSubcommands().values()) {
      setStatus(child, status);
    }
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    StringBuilder line = new StringBuilder(SafeText.line(e.getMessage()).replaceFirst("^Error: ", ""));
    if (e instanceof UnmatchedArgumentException u) {
      List<String> suggestions = u.getSuggestions();
      if (!suggestions.isEmpty()) {
        line.append("; did you mean ").append(String.join(" or ", suggestions)).append('?');
      }
    }
    line.append(" (see '").append(cmd.getCommandSpec().qualifiedName()).append(" --help')");
    cmd.getErr().println(line);
    cmd.getErr().flush();
    return RaException.USAGE_ERROR;
  }

  private static int failure(Exception e, CommandLine cmd, ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    boolean verbose = verbose(parsed);
    Throwable shown = e instanceof UncaughtError u ? u.getCause() : e;
    int code;
    if (shown instanceof RaException ra) {
      err.println(SafeText.line(ra.getMessage()));
      code = ra.exitCode();
    } else {
      err.println(SafeText.line(describe(shown)) + (verbose ? "" : " (run with --verbose for the stack trace)"));
      code = RaException.RUNTIME_FAILURE;
    }
    if (verbose) {
      shown.printStackTrace(err);
    }
    err.flush();
    return code;
  }

  /** "AssertionError: message", or the class name when there is no message. */
  private static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getName() : e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private static boolean verbose(ParseResult parsed) {
    if (parsed == null) {
      return false;
    }
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption(CommonOptions.VERBOSE)) {
        return true;
      }
    }
    return false;
  }
}
