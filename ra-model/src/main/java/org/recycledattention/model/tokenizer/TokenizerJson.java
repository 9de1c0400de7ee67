package org.recycledattention.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.recycledattention.model.ModelFormatException;

/** Reads Hugging Face {@code tokenizer.json} (plus {@code tokenizer_config.json}/{@code config.json} beside it). */
final class TokenizerJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TokenizerJson() {}

  static Tokenizer read(Path file) {
    JsonNode root = readJson(file);
    JsonNode model = root.path("model");
    String type = model.path("type").asText("");
    if (!type.equals("BPE")) {
      throw new ModelFormatException(file, -1, "model.type is \"" + type + "\"; supported: BPE (byte-level, or SentencePiece-converted with byte_fallback)");
    }
    JsonNode vocab = model.path("vocab");
    if (!vocab.isObject() || vocab.isEmpty()) {
      throw new ModelFormatException(file, -1, "model.vocab is missing or empty; expected an object of piece -> id");
    }
    // Vocabulary: model.vocab plus added_tokens; ids may leave holes (filled as unused).
    Map<Integer, String> byId = new HashMap<>();
    Map<Integer, TokenType> typeById = new HashMap<>();
    int maxId = -1;
    for (Map.Entry<String, JsonNode> e : vocab.properties()) {
      int id = tokenId(file, e.getValue(), "model.vocab[\"" + e.getKey() + "\"]");
      byId.put(id, e.getKey());
      typeById.put(id, TokenType.NORMAL);
      maxId = Math.max(maxId, id);
    }
    for (JsonNode added : root.path("added_tokens")) {
      int id = tokenId(file, added.path("id"), "added_tokens[].id");
      String content = added.path("content").asText();
      byId.put(id, content);
      typeById.put(id, added.path("special").asBoolean(false) ? TokenType.CONTROL : TokenType.USER_DEFINED);
      maxId = Math.max(maxId, id);
    }
    int n = maxId + 1;
    // Holes become unused placeholder pieces; a vocabulary that is mostly holes is not a real one.
    if (maxId >= 16_000_000 || n > 2L * byId.size() + 1024) { // maxId, not n: n overflows when maxId is Integer.MAX_VALUE
      throw new ModelFormatException(file, -1, "largest token id is " + maxId + " but only " + byId.size()
          + " tokens are defined; expected dense ids (a vocabulary below 16M)");
    }
    List<String> pieces = new ArrayList<>(n);
    TokenType[] types = new TokenType[n];
    for (int id = 0; id < n; id++) {
      String p = byId.get(id);
      pieces.add(p != null ? p : "<unused" + id + ">");
      types[id] = p != null ? typeById.get(id) : TokenType.UNUSED;
    }
    List<String[]> merges = new ArrayList<>();
    int index = 0;
    for (JsonNode m : model.path("merges")) {
      if (m.isTextual()) {
        String line = m.asText();
        int space = line.indexOf(' ', 1);
        if (space < 0) {
          throw new ModelFormatException(file, -1, "model.merges[" + index + "] is \"" + line + "\", expected two pieces separated by a space");
        }
        merges.add(new String[] {line.substring(0, space), line.substring(space + 1)});
      } else if (m.isArray() && m.size() == 2) {
        merges.add(new String[] {m.get(0).asText(), m.get(1).asText()});
      } else {
        throw new ModelFormatException(file, -1, "model.merges[" + index + "] is " + m + ", expected \"a b\" or [\"a\", \"b\"]");
      }
      index++;
    }

    Specials specials = specials(file, root, pieces, types);
    boolean sentencePiece = model.path("byte_fallback").asBoolean(false) || mentionsMetaspace(root.path("normalizer")) || mentionsMetaspace(root.path("pre_tokenizer"));
    if (sentencePiece) {
      String unkPiece = model.path("unk_token").asText("");
      float[] scores = new float[n];
      Arrays.fill(scores, Float.NEGATIVE_INFINITY);
      Map<String, Integer> ids = new HashMap<>();
      for (int id = 0; id < n; id++) {
        ids.putIfAbsent(pieces.get(id), id);
        if (types[id] == TokenType.NORMAL) {
          if (SentencePieceTokenizer.parseBytePiece(pieces.get(id)) >= 0) {
            types[id] = TokenType.BYTE;
          } else if (pieces.get(id).equals(unkPiece)) {
            types[id] = TokenType.UNKNOWN;
          } else if (pieces.get(id).codePointCount(0, pieces.get(id).length()) == 1) {
            scores[id] = 0;
          }
        }
      }
      // SentencePiece merges by the score of the merged piece; the converter lists merges in that order.
      for (int rank = 0; rank < merges.size(); rank++) {
        Integer id = ids.get(merges.get(rank)[0] + merges.get(rank)[1]);
        if (id != null && scores[id] == Float.NEGATIVE_INFINITY) {
          scores[id] = -rank;
        }
      }
      boolean addSpacePrefix = prependsSpace(root.path("normalizer")) || prependsSpace(root.path("pre_tokenizer"));
      return new SentencePieceTokenizer(pieces, scores, types, specials.bos, specials.eos, specials.stops, specials.addBos.orElse(true),
          addSpacePrefix, SentencePieceTokenizer.SPM_SPACE);
    }
    Pattern pattern = preTokenizerPattern(file, root.path("pre_tokenizer"));
    boolean ignoreMerges = model.path("ignore_merges").asBoolean(false);
    JsonNode normalizer = root.path("normalizer");
    String normalizerType = normalizer.path("type").asText("");
    if (!normalizer.isMissingNode() && !normalizer.isNull() && !normalizerType.equals("NFC")) {
      throw new ModelFormatException(file, -1, "normalizer " + normalizerType + " is not supported for byte-level BPE; supported: none, NFC");
    }
    for (String field : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
      if (model.hasNonNull(field) && !model.path(field).asText().isEmpty()) {
        throw new ModelFormatException(file, -1, "model." + field + " is \"" + model.path(field).asText() + "\"; byte-level BPE without it is supported");
      }
    }
    boolean digits = root.path("pre_tokenizer").toString().contains("\"Digits\"");
    return new ByteLevelBpeTokenizer(pieces, types, merges, pattern, new ByteLevelBpeTokenizer.Options(ignoreMerges, normalizerType.equals("NFC"), digits),
        specials.bos, specials.eos, specials.stops, specials.addBos.orElse(false));
  }

  private record Specials(int bos, int eos, int[] stops, Optional<Boolean> addBos) {}

  private static Specials specials(Path file, JsonNode root, List<String> pieces, TokenType[] types) {
    Map<String, Integer> ids = new HashMap<>();
    for (int id = 0; id < pieces.size(); id++) {
      ids.putIfAbsent(pieces.get(id), id);
    }
    Path dir = file.toAbsolutePath().getParent();
    JsonNode tokCfg = dir != null && Files.isRegularFile(dir.resolve("tokenizer_config.json")) ? readJson(dir.resolve("tokenizer_config.json")) : null;
    JsonNode modelCfg = dir != null && Files.isRegularFile(dir.resolve("config.json")) ? readJson(dir.resolve("config.json")) : null;
    int n = pieces.size();
    int bos = -1;
    int eos = -1;
    Set<Integer> stops = new LinkedHashSet<>();
    if (tokCfg != null) {
      bos = idOfNamed(ids, tokCfg.path("bos_token"));
      eos = idOfNamed(ids, tokCfg.path("eos_token"));
    }
    if (modelCfg != null) {
      if (bos < 0) {
        bos = firstId(modelCfg.path("bos_token_id"), n);
      }
      JsonNode eosIds = modelCfg.path("eos_token_id");
      if (eos < 0) {
        eos = firstId(eosIds, n);
      }
      for (JsonNode e : eosIds.isArray() ? eosIds : List.of(eosIds)) {
        if (e.canConvertToInt() && e.asInt() >= 0 && e.asInt() < n) {
          stops.add(e.asInt());
        }
      }
    }
    if (bos < 0) {
      // TemplateProcessing whose single-sequence template starts with a special token: that is BOS.
      JsonNode first = root.path("post_processor").path("single").path(0).path("SpecialToken").path("id");
      bos = first.isTextual() ? ids.getOrDefault(first.asText(), -1) : -1;
    }
    if (bos < 0) {
      bos = firstPresent(ids, "<s>", "<|begin_of_text|>");
    }
    if (eos < 0) {
      eos = firstPresent(ids, "</s>", "<|end_of_text|>", "<|endoftext|>");
    }
    if (eos >= 0) {
      stops.add(eos);
    }
    for (int id = 0; id < n; id++) {
      if (types[id] == TokenType.CONTROL && Tokenizers.END_OF_TURN_PIECES.contains(pieces.get(id))) {
        stops.add(id);
      }
    }
    Optional<Boolean> addBos = Optional.empty();
    if (tokCfg != null && tokCfg.path("add_bos_token").isBoolean()) {
      addBos = Optional.of(tokCfg.path("add_bos_token").asBoolean());
    } else if (bos >= 0 && root.path("post_processor").toString().contains("\"" + jsonEscaped(pieces.get(bos)) + "\"")) {
      addBos = Optional.of(true); // TemplateProcessing that inserts BOS
    }
    return new Specials(bos, eos, stops.stream().mapToInt(Integer::intValue).toArray(), addBos);
  }

  private static String jsonEscaped(String s) {
    return JSON.valueToTree(s).toString().replaceAll("^\"|\"$", "");
  }

  private static int idOfNamed(Map<String, Integer> ids, JsonNode token) {
    String name = token.isTextual() ? token.asText() : token.path("content").asText(null);
    Integer id = name == null ? null : ids.get(name);
    return id == null ? -1 : id;
  }

  private static int firstId(JsonNode node, int n) {
    JsonNode v = node.isArray() && !node.isEmpty() ? node.get(0) : node;
    return v.canConvertToInt() && v.asInt() >= 0 && v.asInt() < n ? v.asInt() : -1;
  }

  private static int firstPresent(Map<String, Integer> ids, String... names) {
    for (String name : names) {
      Integer id = ids.get(name);
      if (id != null) {
        return id;
      }
    }
    return -1;
  }

  private static boolean mentionsMetaspace(JsonNode node) {
    String s = node.toString();
    return s.contains("\"Metaspace\"") || s.contains("\"content\":\"\u2581\"");
  }

  private static boolean prependsSpace(JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return false;
    }
    String type = node.path("type").asText("");
    switch (type) {
      case "Prepend" -> {
        return node.path("prepend").asText("").equals("\u2581");
      }
      case "Metaspace" -> {
        String scheme = node.path("prepend_scheme").asText("");
        return scheme.isEmpty() ? node.path("add_prefix_space").asBoolean(true) : !scheme.equals("never");
      }
      case "Sequence" -> {
        for (JsonNode child : node.path("normalizers").isMissingNode() ? node.path("pretokenizers") : node.path("normalizers")) {
          if (prependsSpace(child)) {
            return true;
          }
        }
        return false;
      }
      default -> {
        return false;
      }
    }
  }

  private static Pattern preTokenizerPattern(Path file, JsonNode pre) {
    List<JsonNode> steps = new ArrayList<>();
    if (pre.path("type").asText("").equals("Sequence")) {
      pre.path("pretokenizers").forEach(steps::add);
    } else if (!pre.isMissingNode() && !pre.isNull()) {
      steps.add(pre);
    }
    for (JsonNode step : steps) {
      String type = step.path("type").asText("");
      boolean known = type.equals("Split") && step.path("pattern").has("Regex")
          || type.equals("ByteLevel") && !step.path("add_prefix_space").asBoolean(false)
          || type.equals("Digits") && step.path("individual_digits").asBoolean(false) && steps.indexOf(step) == 0;
      if (!known) {
        throw new ModelFormatException(file, -1, "pre_tokenizer step " + step + " is not supported; supported: Digits (individual, first), "
            + "a Split regex, ByteLevel without add_prefix_space");
      }
    }
    for (JsonNode step : steps) {
      if (step.path("type").asText("").equals("Split") && step.path("pattern").has("Regex")) {
        String regex = step.path("pattern").path("Regex").asText();
        try {
          return PreTokenizerPattern.compile(regex);
        } catch (PatternSyntaxException e) {
          throw new ModelFormatException(file, -1, "pre_tokenizer regex cannot be compiled by java.util.regex (" + e.getDescription() + "): " + regex, e);
        }
      }
    }
    for (JsonNode step : steps) {
      if (step.path("type").asText("").equals("ByteLevel")) {
        return PreTokenizerPattern.GPT2.pattern();
      }
    }
    throw new ModelFormatException(file, -1, "pre_tokenizer has neither a Split regex nor ByteLevel; expected a byte-level BPE or SentencePiece-style tokenizer");
  }

  private static int tokenId(Path file, JsonNode node, String where) {
    if (!node.canConvertToInt() || node.asInt() < 0) {
      throw new ModelFormatException(file, -1, where + " is " + node + ", expected a non-negative token id");
    }
    return node.asInt();
  }

  private static JsonNode readJson(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new ModelFormatException(file, -1, "cannot read JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }
}
