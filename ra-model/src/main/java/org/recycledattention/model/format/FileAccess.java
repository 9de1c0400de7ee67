package org.recycledattention.model.format;

/**
 * How a model file's bytes reach its tensors. What each promises when the file changes while a
 * command runs (truncated, overwritten by {@code cp}, rewritten in place):
 *
 * <ul>
 *   <li>{@link #MAPPED} (the default, as llama.cpp): the file is memory-mapped, so loading is
 *       instant and the operating system shares and pages the weights. The file must not change
 *       while the model is open: a change is detected before a forward pass (size and modification
 *       time, checked at most every 2 ms), and a read that faults on a truncated mapping inside a
 *       pass becomes the same error, {@link org.recycledattention.model.ModelFileChangedException}.
 *       The passes of the last 2 ms, or one running when the file changed, may have computed with a
 *       mix of old and new bytes before the error.
 *   <li>{@link #READ} ({@code --no-mmap}): the file is read into (native) memory once, at load;
 *       afterwards the file may change or disappear freely. Costs the model's size in memory and
 *       the time to read it. A change while it is being read is an error.
 * </ul>
 */
public enum FileAccess {
  MAPPED,
  READ
}
