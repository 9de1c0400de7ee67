package org.recycledattention.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The research programs README's Results run from {@code docs/} ({@code DistanceProbe.java}, {@code Widen.java}) are
 * not part of any module: the JDK's source launcher or {@code javac} compiles them against {@code ra-dist/target/lib}
 * when a reader runs them. This compiles every {@code .java} file under {@code docs/} against the project's classes, so
 * an API change that breaks one fails the build instead of the reader's command.
 */
class DocsScriptsCompileTest {
  private static final Path DOCS = Path.of("..", "docs");

  @Test
  void everyJavaProgramUnderDocsCompiles(@TempDir Path out) throws IOException {
    assumeTrue(Files.isDirectory(DOCS), "docs/ not found at " + DOCS.toAbsolutePath());
    List<Path> sources;
    try (Stream<Path> files = Files.walk(DOCS)) {
      sources = files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    assertThat(sources).as("Java programs under docs/").extracting(p -> p.getFileName().toString())
        .contains("DistanceProbe.java", "Widen.java");
    var compiler = ToolProvider.getSystemJavaCompiler();
    for (Path source : sources) {
      // each program on its own, as its README command compiles it (two may declare the same class name)
      StringWriter diagnostics = new StringWriter();
      var task = compiler.getTask(diagnostics, null, null,
          List.of("--add-modules", "jdk.incubator.vector", "-classpath", System.getProperty("java.class.path"),
              "-d", Files.createDirectories(out.resolve(source.getFileName().toString())).toString(), "-Xlint:none",
              "-proc:none"),
          null, compiler.getStandardFileManager(null, null, null).getJavaFileObjects(source));
      assertThat(task.call()).as("%s compiles against the project's classes:%n%s", source, diagnostics).isTrue();
    }
  }
}
