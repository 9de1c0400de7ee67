package org.recycledattention.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The structure README's "Architecture" section describes, checked on the sources of every module: no
 * package imports another that imports it back (directly or through others), the contract depends on the
 * JDK only, the conformance kit on the contract only, the model module on neither the engine nor the
 * commands, no main code names a class by its fully qualified name inline, every source file sits in the
 * folder of its package, and every main package has a {@code package-info.java} saying what it is for. A
 * plain parse of {@code package} and {@code import} lines (and qualified names in code), not ArchUnit.
 */
class ArchitectureTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(org\\.recycledattention\\.[\\w.]+?)\\.[A-Z]", Pattern.MULTILINE);
  private static final Pattern INLINE_NAME = Pattern.compile("(?<![\\w.\"])((?:java|javax|jdk|org|com)\\.(?:[a-z][a-z0-9_]*\\.)+)[A-Z]\\w*");

  /** Package -> the project packages it imports; package -> its module. */
  private static final Map<String, Set<String>> IMPORTS = new TreeMap<>();
  private static final Map<String, String> MODULE = new TreeMap<>();
  private static final List<String> INLINE = new ArrayList<>();
  private static final List<String> MISPLACED = new ArrayList<>();
  private static final Set<Path> UNDOCUMENTED = new TreeSet<>();

  @BeforeAll
  static void parse() throws IOException {
    assumeTrue(Files.isRegularFile(ROOT.resolve("pom.xml")) && Files.isDirectory(ROOT.resolve("ra-api")), "not run from a module of the repository");
    try (Stream<Path> modules = Files.list(ROOT); Stream<Path> examples = Files.list(ROOT.resolve("examples"))) {
      for (Path module : Stream.concat(modules, examples).filter(m -> Files.isDirectory(m.resolve("src/main/java"))).toList()) {
        for (String tree : List.of("src/main/java", "src/test/java")) {
          Path root = module.resolve(tree);
          if (!Files.isDirectory(root)) {
            continue;
          }
          try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
              checkFolder(root, f);
              if (tree.equals("src/main/java")) {
                read(module.getFileName().toString(), f);
                if (!Files.exists(f.resolveSibling("package-info.java"))) {
                  UNDOCUMENTED.add(ROOT.relativize(f.getParent()));
                }
              }
            }
          }
        }
      }
    }
    IMPORTS.values().forEach(targets -> targets.retainAll(IMPORTS.keySet()));
  }

  private static void checkFolder(Path root, Path file) throws IOException {
    Matcher p = PACKAGE.matcher(Files.readString(file));
    String folder = root.relativize(file.getParent()).toString().replace(file.getFileSystem().getSeparator(), ".");
    if (!p.find() || !p.group(1).equals(folder)) {
      MISPLACED.add(ROOT.relativize(file) + " declares " + (p.find(0) ? p.group(1) : "no package"));
    }
  }

  private static void read(String module, Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Matcher p = PACKAGE.matcher(text);
    if (!p.find()) {
      return;
    }
    String pkg = p.group(1);
    MODULE.put(pkg, module);
    Set<String> targets = IMPORTS.computeIfAbsent(pkg, k -> new TreeSet<>());
    Matcher i = IMPORT.matcher(text);
    while (i.find()) {
      if (!i.group(1).equals(pkg)) {
        targets.add(i.group(1));
      }
    }
    boolean comment = false;
    int n = 0;
    for (String line : text.split("\n")) {
      n++;
      String s = line.strip();
      if (comment) {
        comment = !s.contains("*/");
        continue;
      }
      if (s.startsWith("/*")) {
        comment = !s.contains("*/");
        continue;
      }
      if (s.startsWith("*") || s.startsWith("//") || s.startsWith("import ") || s.startsWith("package ")) {
        continue;
      }
      String code = line.replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"").replaceAll("//.*", "");
      Matcher q = INLINE_NAME.matcher(code);
      if (q.find()) {
        INLINE.add(ROOT.relativize(file) + ":" + n + ": " + q.group());
      }
    }
  }

  @Test
  void noPackageCycles() {
    List<String> cycles = new ArrayList<>();
    for (String start : IMPORTS.keySet()) {
      List<String> path = new ArrayList<>();
      if (reaches(start, start, path, new TreeSet<>())) {
        cycles.add(start + " -> " + String.join(" -> ", path));
      }
    }
    assertThat(cycles).as("package cycles").isEmpty();
  }

  private static boolean reaches(String from, String target, List<String> path, Set<String> seen) {
    for (String next : IMPORTS.getOrDefault(from, Set.of())) {
      path.add(next);
      if (next.equals(target) || seen.add(next) && reaches(next, target, path, seen)) {
        return true;
      }
      path.removeLast();
    }
    return false;
  }

  @Test
  void theContractDependsOnTheJdkOnlyAndTheKitOnTheContractOnly() {
    assertThat(importsOfModule("ra-api")).as("project packages ra-api imports").allMatch(p -> p.startsWith("org.recycledattention.api"));
    assertThat(importsOfModule("ra-tests")).as("project packages ra-tests imports").allMatch(p -> p.startsWith("org.recycledattention.api"));
  }

  @Test
  void theModelKnowsNeitherDecodingNorWiringNorCommands() {
    assertThat(importsOfModule("ra-model")).as("project packages ra-model imports")
        .allMatch(p -> p.startsWith("org.recycledattention.model") || p.startsWith("org.recycledattention.api"));
  }

  @Test
  void noFullyQualifiedClassNamesInline() {
    assertThat(INLINE).as("qualified class names in main code (import them)").isEmpty();
  }

  @Test
  void everyFileSitsInTheFolderOfItsPackage() {
    assertThat(MISPLACED).as("files whose package is not their folder").isEmpty();
  }

  @Test
  void everyMainPackageHasAPackageInfo() {
    assertThat(UNDOCUMENTED).as("main packages without package-info.java").isEmpty();
  }

  private static Set<String> importsOfModule(String module) {
    Set<String> out = new TreeSet<>();
    IMPORTS.forEach((pkg, targets) -> {
      if (module.equals(MODULE.get(pkg))) {
        targets.forEach(t -> {
          if (!module.equals(MODULE.get(t))) {
            out.add(t);
          }
        });
      }
    });
    return out;
  }
}
