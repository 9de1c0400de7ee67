package org.recycledattention.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** Runs {@code ra} in-process and captures what it printed. */
final class Cli {
  /** What one run printed and returned. */
  record Result(int exitCode, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  private Cli() {}

  static Result run(Map<String, String> environment, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(args, new PrintWriter(out), new PrintWriter(err), environment);
    return new Result(code, out.toString(), err.toString());
  }

  static Result run(String... args) {
    return run(Map.of(), args);
  }

  /** A plugin jar in {@code dir} whose services files list these classes (found on the test class path). */
  static Path pluginJar(Path dir, String name, List<String> policies, List<String> backends) throws IOException {
    Files.createDirectories(dir);
    Path jar = dir.resolve(name);
    try (OutputStream os = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(os)) {
      service(j, "org.recycledattention.api.policy.AttentionPolicyProvider", policies);
      service(j, "org.recycledattention.api.cache.KvCacheBackendProvider", backends);
    }
    return jar;
  }

  private static void service(JarOutputStream j, String type, List<String> classes) throws IOException {
    if (!classes.isEmpty()) {
      j.putNextEntry(new JarEntry("META-INF/services/" + type));
      j.write((String.join("\n", classes) + "\n").getBytes(StandardCharsets.UTF_8));
      j.closeEntry();
    }
  }
}
