package org.recycledattention.model.format.safetensors;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.format.FileAccess;
import org.recycledattention.model.format.LayerWeights;
import org.recycledattention.model.format.LoadedWeights;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.format.ModelFiles;
import org.recycledattention.model.format.ModelFormat;
import org.recycledattention.model.format.ModelReader;
import org.recycledattention.model.format.Weights;
import org.recycledattention.model.io.SafeText;
import org.recycledattention.model.tensor.FloatTensor;

/**
 * Reads a Hugging Face Llama/Mistral/Qwen2 checkpoint: a directory with {@code config.json} and
 * either {@code model.safetensors.index.json} (shards named by its {@code weight_map}),
 * {@code model.safetensors}, or other {@code *.safetensors} files; or one {@code .safetensors} file
 * with {@code config.json} beside it. All files are opened through one {@link ModelFiles} (mapped
 * or read into memory), closed by the model's {@code close()}. The tokenizer ({@code tokenizer.json}) is built separately by
 * {@code org.recycledattention.model.load.ModelTokenizers}.
 *
 * <p>Stateless and thread-safe.
 */
public final class SafetensorsLoader implements ModelReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public ModelFormat format() {
    return ModelFormat.SAFETENSORS;
  }

  /** A directory (with config.json and *.safetensors) or a {@code *.safetensors} file. */
  @Override
  public boolean recognizes(Path path, ByteBuffer head, long size) {
    return size < 0 || path.getFileName() != null && path.getFileName().toString().endsWith(".safetensors");
  }

  @Override
  public String expected() {
    return "a safetensors model (a directory or *.safetensors)";
  }

  /** {@code new SafetensorsLoader().read(fileOrDir)}. */
  public static LoadedWeights load(Path fileOrDir) {
    return new SafetensorsLoader().read(fileOrDir);
  }

  @Override
  public LoadedWeights read(Path path, FileAccess access) {
    requireNonNull(path, "path is null");
    Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
    Path configFile = dir.resolve("config.json");
    if (!Files.isRegularFile(configFile)) {
      throw new ModelFormatException(configFile, -1, "config.json is missing; a safetensors model needs the Hugging Face config.json beside its weights");
    }
    JsonNode cfg = readJson(configFile);
    List<Path> shards = shardFiles(path, dir);
    ModelFiles files = new ModelFiles(access);
    try {
      Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
      for (Path shard : shards) {
        SafetensorsFile f = SafetensorsFile.open(shard, files);
        for (String name : f.entries().keySet()) {
          SafetensorsFile previous = byTensor.putIfAbsent(name, f);
          if (previous != null) {
            throw new ModelFormatException(shard, -1, "tensor '" + SafeText.of(name) + "' is also in " + previous.path() + "; each tensor must be in one file");
          }
        }
      }
      Tensors t = new Tensors(dir, byTensor);
      ModelConfig config = HfConfig.parse(configFile, cfg, t.has("model.layers.0.self_attn.q_proj.bias"), t.has("lm_head.weight"));
      checkLayersInFiles(configFile, byTensor.keySet(), config.layers());
      Weights weights = weights(t, config);
      weights.checkShapes(config, path);
      Map<String, Object> metadata = JSON.convertValue(cfg, new TypeReference<LinkedHashMap<String, Object>>() {});
      String description = "safetensors " + config.architecture() + ", " + config.layers() + " layers, dim " + config.dim() + ", vocab "
          + config.vocabSize() + ", " + dtypes(byTensor) + (shards.size() > 1 ? ", " + shards.size() + " shards" : "");
      return new LoadedWeights(ModelFormat.SAFETENSORS, path, config, weights, metadata, description, files, files);
    } catch (RuntimeException | Error e) {
      files.close();
      throw e;
    }
  }

  /** No tensor of a layer at or past {@code num_hidden_layers}: a count too small would run part of the model. */
  private static void checkLayersInFiles(Path configFile, Set<String> names, int layers) {
    String prefix = "model.layers.";
    int last = -1;
    for (String name : names) {
      if (name.startsWith(prefix)) {
        int dot = name.indexOf('.', prefix.length());
        try {
          last = Math.max(last, Integer.parseInt(name.substring(prefix.length(), dot < 0 ? name.length() : dot)));
        } catch (NumberFormatException e) {
          // not a layer tensor
        }
      }
    }
    if (last >= layers) {
      throw new ModelFormatException(configFile, -1, "num_hidden_layers is " + layers + " but the safetensors files hold tensors of model.layers." + last
          + " (" + (last + 1) + " layers); config.json does not describe these weights");
    }
  }

  /** Tensor lookup across shards. */
  private record Tensors(Path dir, Map<String, SafetensorsFile> byTensor) {
    boolean has(String name) {
      return byTensor.containsKey(name);
    }

    FloatTensor get(String name) {
      SafetensorsFile f = byTensor.get(name);
      if (f == null) {
        throw new ModelFormatException(dir, -1, "tensor '" + SafeText.of(name) + "' is in none of the safetensors files; the checkpoint is incomplete or not a Llama-family model");
      }
      return f.tensor(name);
    }
  }

  private static Weights weights(Tensors t, ModelConfig config) {
    FloatTensor embedding = t.get("model.embed_tokens.weight");
    // capacity capped: the layer count is checked tensor by tensor below, not trusted for an allocation
    List<LayerWeights> layers = new ArrayList<>(Math.min(config.layers(), 1024));
    for (int i = 0; i < config.layers(); i++) {
      String p = "model.layers." + i + ".";
      String a = p + "self_attn.";
      String m = p + "mlp.";
      FloatTensor bq = config.qkvBias() ? t.get(a + "q_proj.bias") : null;
      FloatTensor bk = config.qkvBias() ? t.get(a + "k_proj.bias") : null;
      FloatTensor bv = config.qkvBias() ? t.get(a + "v_proj.bias") : null;
      layers.add(new LayerWeights(t.get(p + "input_layernorm.weight"), t.get(a + "q_proj.weight"), t.get(a + "k_proj.weight"), t.get(a + "v_proj.weight"),
          bq, bk, bv, t.get(a + "o_proj.weight"), t.get(p + "post_attention_layernorm.weight"), t.get(m + "gate_proj.weight"),
          t.get(m + "down_proj.weight"), t.get(m + "up_proj.weight")));
    }
    FloatTensor output = config.tiedOutput() ? embedding : t.get("lm_head.weight");
    return new Weights(embedding, layers, t.get("model.norm.weight"), output);
  }

  private static List<Path> shardFiles(Path path, Path dir) {
    if (!Files.isDirectory(path)) {
      if (!Files.isRegularFile(path)) {
        throw new ModelFormatException(path, -1, "no such file; expected a .safetensors file or a model directory");
      }
      return List.of(path);
    }
    Path index = dir.resolve("model.safetensors.index.json");
    if (Files.isRegularFile(index)) {
      JsonNode map = readJson(index).path("weight_map");
      if (!map.isObject() || map.isEmpty()) {
        throw new ModelFormatException(index, -1, "weight_map is missing or empty; expected tensor name -> shard file");
      }
      TreeSet<String> names = new TreeSet<>();
      for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) {
        names.add(it.next().asText());
      }
      List<Path> out = new ArrayList<>();
      Path root = dir.toAbsolutePath().normalize();
      for (String name : names) {
        Path shard;
        try {
          shard = root.resolve(name).normalize();
        } catch (InvalidPathException e) {
          throw new ModelFormatException(index, -1, "weight_map names shard '" + SafeText.of(name) + "', which is not a valid file name", e);
        }
        if (!shard.startsWith(root) || !Files.isRegularFile(shard)) {
          throw new ModelFormatException(index, -1, "weight_map names shard '" + SafeText.of(name) + "', which is not a file in " + root);
        }
        out.add(shard);
      }
      return out;
    }
    if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
      return List.of(dir.resolve("model.safetensors"));
    }
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.safetensors")) {
      ds.forEach(out::add);
    } catch (IOException e) {
      throw new ModelFormatException(dir, -1, "cannot list the directory: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new ModelFormatException(dir, -1, "no *.safetensors files; expected model.safetensors or model.safetensors.index.json");
    }
    out.sort(null);
    return out;
  }

  private static String dtypes(Map<String, SafetensorsFile> byTensor) {
    Map<String, Integer> counts = new TreeMap<>();
    byTensor.forEach((name, f) -> counts.merge(f.entries().get(name).dtype(), 1, Integer::sum));
    StringBuilder sb = new StringBuilder();
    counts.forEach((dtype, n) -> sb.append(sb.isEmpty() ? "" : ", ").append(dtype).append(" (").append(n).append(n == 1 ? " tensor)" : " tensors)"));
    return sb.toString();
  }

  private static JsonNode readJson(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      String first = e instanceof JsonProcessingException j ? j.getOriginalMessage() : String.valueOf(e.getMessage());
      throw new ModelFormatException(file, -1, "cannot read JSON: " + SafeText.of(first), e);
    }
  }
}
