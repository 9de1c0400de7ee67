package org.recycledattention.cli.common;

import org.recycledattention.model.format.FileAccess;
import picocli.CommandLine.Option;

/** {@code --no-mmap}, for every command that reads a model file: read it into memory instead of mapping it. */
public final class ModelAccessOptions {
  @Option(names = "--no-mmap", description = {"Read the model into memory instead of memory-mapping it: slower to load and needs the model's size",
      "in memory, but the file may then change or disappear while the command runs (a mapped model file must not change)."})
  public boolean noMmap;

  /** How to open the model's files. */
  public FileAccess access() {
    return noMmap ? FileAccess.READ : FileAccess.MAPPED;
  }
}
