package org.recycledattention.model.format;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link ModelReader} gives back: the configuration, the weights and whatever owns their
 * memory.
 *
 * @param format the format read
 * @param source the file or directory read
 * @param config hyper-parameters
 * @param weights tensors, valid until {@code resources} is closed
 * @param metadata the file's raw metadata (GGUF key/values, with {@code tokenizer.ggml.*}; the
 *     parsed {@code config.json} for safetensors; empty for llama2.c), read-only
 * @param description one line: format, architecture, size, weight type
 * @param resources closes the mappings (normally the shared {@link java.lang.foreign.Arena} the
 *     tensors were mapped in); called once, by the model's {@code close()}
 * @param files the files the tensors are views of, checked by the model before each forward pass
 *     ({@link ModelFiles#checkUnchanged()}); {@link ModelFiles#none()} for a model built in memory
 */
public record LoadedWeights(ModelFormat format, Path source, ModelConfig config, Weights weights, Map<String, Object> metadata, String description,
    AutoCloseable resources, ModelFiles files) {
  /** Weights that depend on no file (built in memory, or whose files are not watched). */
  public LoadedWeights(ModelFormat format, Path source, ModelConfig config, Weights weights, Map<String, Object> metadata, String description,
      AutoCloseable resources) {
    this(format, source, config, weights, metadata, description, resources, ModelFiles.none());
  }

  public LoadedWeights {
    requireNonNull(format, "format is null");
    requireNonNull(source, "source is null");
    requireNonNull(config, "config is null");
    requireNonNull(weights, "weights is null");
    requireNonNull(description, "description is null");
    requireNonNull(resources, "resources is null");
    requireNonNull(files, "files is null");
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(metadata, "metadata is null")));
  }
}
