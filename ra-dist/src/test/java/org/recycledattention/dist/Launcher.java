package org.recycledattention.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.recycledattention.cli.Sigint;

/**
 * Runs the {@code ./ra} launcher of this working tree on the class path {@code mvn package} assembled
 * ({@code RA_NO_BUILD=1}) with the JDK running the tests, and collects what it prints as it prints it.
 */
final class Launcher {
  /** The repository root: the launcher's folder. */
  static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
  static final Path RA = ROOT.resolve("ra");

  private Launcher() {}

  /** A process builder for {@code command} with the launcher's environment, in {@code dir}. */
  static ProcessBuilder builder(Path dir, List<String> command, Map<String, String> extraEnvironment) {
    ProcessBuilder b = new ProcessBuilder(command).directory(dir.toFile());
    b.environment().put("RA_NO_BUILD", "1");
    b.environment().put("JAVA_HOME", System.getProperty("java.home"));
    b.environment().remove("RA_JAVA_OPTS");
    b.environment().putAll(extraEnvironment);
    return b;
  }

  /** {@code ./ra args}. */
  static List<String> ra(String... args) {
    List<String> c = new ArrayList<>(List.of(RA.toString()));
    c.addAll(List.of(args));
    return c;
  }

  /** Runs {@code ./ra args} to the end (at most 3 minutes). */
  static Run run(Path dir, Map<String, String> env, String... args) throws Exception {
    Running r = start(builder(dir, ra(args), env));
    r.await(180);
    return r.result();
  }

  static Running start(ProcessBuilder b) throws IOException {
    return new Running(b.start());
  }

  /** What a finished run printed. */
  record Run(int exitCode, String out, String err) {
    /** Lines of stderr that are not empty. */
    List<String> errLines() {
      return err.lines().filter(l -> !l.isBlank()).toList();
    }
  }

  /** A started process whose stdout and stderr are read as they come (progress bars end lines with \r only). */
  static final class Running implements AutoCloseable {
    final Process process;
    private final StringBuffer out = new StringBuffer();
    private final StringBuffer err = new StringBuffer();
    private final Thread outReader;
    private final Thread errReader;

    Running(Process process) {
      this.process = process;
      this.outReader = Thread.ofVirtual().start(() -> pump(process.getInputStream(), out));
      this.errReader = Thread.ofVirtual().start(() -> pump(process.getErrorStream(), err));
    }

    private static void pump(InputStream in, StringBuffer into) {
      byte[] buf = new byte[4096];
      try (in) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          into.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }

    String out() {
      return out.toString();
    }

    String err() {
      return err.toString();
    }

    OutputStream stdin() {
      return process.getOutputStream();
    }

    /** Waits until {@code condition} holds for stdout + stderr, or fails after {@code seconds}. */
    void waitFor(String what, int seconds, Predicate<Running> condition) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (!condition.test(this)) {
        if (System.nanoTime() > deadline || !process.isAlive() && !condition.test(this)) {
          throw new AssertionError("gave up waiting for " + what + " (process " + (process.isAlive() ? "alive" : "exited " + process.exitValue())
              + ");\nstdout: " + tail(out()) + "\nstderr: " + tail(err()));
        }
        Thread.sleep(50);
      }
    }

    /** Waits for the end; false when it did not end within {@code seconds}. */
    boolean await(int seconds) throws InterruptedException {
      boolean ended = process.waitFor(seconds, TimeUnit.SECONDS);
      if (ended) {
        outReader.join(5_000);
        errReader.join(5_000);
      }
      return ended;
    }

    Run result() {
      return new Run(process.exitValue(), out(), err());
    }

    @Override
    public void close() {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  static String tail(String s) {
    return s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s;
  }

  /** Whether util-linux {@code script} (a pseudo-terminal for a command) is installed. */
  static boolean hasScript() {
    try {
      Process p = new ProcessBuilder("script", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /** {@code command} run on a pseudo-terminal by {@code script}: its output is the terminal's; what is written to stdin is typed. */
  static List<String> onTerminal(List<String> command) {
    StringBuilder line = new StringBuilder();
    List<String> words = new ArrayList<>();
    if (Sigint.ignored()) {
      // a build started as a background job of a non-interactive shell (`mvn verify &`) ignores SIGINT, and so would
      // everything it starts, Ctrl-C on the terminal included: GNU env restores the default first
      words.addAll(List.of("env", "--default-signal=INT"));
    }
    words.addAll(command);
    for (String word : words) {
      line.append(line.isEmpty() ? "" : " ").append('\'').append(word.replace("'", "'\\''")).append('\'');
    }
    return List.of("script", "--quiet", "--return", "--command", line.toString(), "/dev/null");
  }

  /** A plugin jar holding {@code provider}'s class file from the test classes, listed as a policy provider. */
  static Path pluginJar(Path dir, Class<?> provider) throws IOException {
    Files.createDirectories(dir);
    Path jar = dir.resolve(provider.getSimpleName() + ".jar");
    String entry = provider.getName().replace('.', '/') + ".class";
    byte[] bytes;
    try (InputStream in = provider.getClassLoader().getResourceAsStream(entry)) {
      bytes = in.readAllBytes();
    }
    try (var j = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
      j.putNextEntry(new java.util.jar.JarEntry(entry));
      j.write(bytes);
      j.closeEntry();
      j.putNextEntry(new java.util.jar.JarEntry("META-INF/services/org.recycledattention.api.policy.AttentionPolicyProvider"));
      j.write((provider.getName() + "\n").getBytes(StandardCharsets.UTF_8));
      j.closeEntry();
    }
    return jar;
  }
}
