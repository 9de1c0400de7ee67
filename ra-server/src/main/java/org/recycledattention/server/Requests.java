package org.recycledattention.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.recycledattention.engine.decode.SamplingConfig;
import org.recycledattention.inference.CompletionRequest;
import org.recycledattention.inference.PolicyOverrides;
import org.recycledattention.inference.Prompt;
import org.recycledattention.inference.chat.ChatMessage;

/**
 * Reads the JSON of {@code POST /v1/chat/completions} and {@code POST /v1/completions} into a
 * {@link CompletionRequest}, checking every field it reads: its type, its range, and OpenAI
 * features that would change the result but are not supported here ({@code n > 1}, tools,
 * log-probabilities, penalties, ...), each a {@link ApiError#badRequest 400} naming the field.
 * Fields that do not change the result ({@code model}, {@code user}, {@code metadata}, ...) and
 * unknown top-level fields are ignored, as llama-server does, so stock clients work. The {@code
 * "ra"} extension object is checked strictly: unknown keys inside it are errors.
 *
 * <p>Defaults are OpenAI's: temperature 1, top_p 1, no top-k, a random seed, as many tokens as the
 * context leaves.
 */
final class Requests {
  /** A parsed generation request. */
  record Parsed(boolean chat, CompletionRequest completion, boolean stream, boolean includeUsage) {}

  private static final Set<String> RA_KEYS = Set.of("policy", "budget", "set");

  private Requests() {}

  static Parsed chat(JsonNode body) {
    JsonNode messages = body.get("messages");
    if (messages == null || messages.isNull()) {
      throw ApiError.badRequest(
          "messages", "'messages' is required: an array of {\"role\", \"content\"} objects");
    }
    if (!messages.isArray() || messages.isEmpty()) {
      throw ApiError.badRequest(
          "messages",
          "'messages' must be a non-empty array of {\"role\", \"content\"} objects, got "
              + describe(messages));
    }
    List<ChatMessage> list = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      list.add(message(messages.get(i), "messages[" + i + "]"));
    }
    for (String f : List.of("tools", "functions")) {
      JsonNode n = body.get(f);
      if (n != null && !n.isNull() && !(n.isArray() && n.isEmpty())) {
        throw ApiError.badRequest(
            f,
            "'"
                + f
                + "' (function calling) is not supported by this server; send the request without"
                + " it");
      }
    }
    JsonNode format = body.get("response_format");
    if (format != null && !format.isNull()) {
      JsonNode type = format.get("type");
      if (!format.isObject()
          || type == null
          || !type.isTextual()
          || !type.asText().equals("text")) {
        throw ApiError.badRequest(
            "response_format",
            "only 'response_format' {\"type\": \"text\"} is supported; JSON modes and schemas are"
                + " not");
      }
    }
    if (flag(body, "logprobs")) {
      throw ApiError.badRequest(
          "logprobs", "'logprobs' is not supported by this server; leave it false");
    }
    Integer top = integer(body, "top_logprobs", 0, 20);
    if (top != null && top > 0) {
      throw ApiError.badRequest("top_logprobs", "'top_logprobs' is not supported by this server");
    }
    Integer max = integer(body, "max_completion_tokens", 1, Integer.MAX_VALUE);
    if (max == null) {
      max = integer(body, "max_tokens", 1, Integer.MAX_VALUE);
    }
    return common(body, CompletionRequest.chat(list), max, true);
  }

  static Parsed completion(JsonNode body) {
    JsonNode prompt = body.get("prompt");
    if (prompt == null || prompt.isNull()) {
      throw ApiError.badRequest(
          "prompt", "'prompt' is required: a string (or an array of token ids)");
    }
    Prompt p;
    if (prompt.isTextual()) {
      p = new Prompt.Text(prompt.asText());
    } else if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
      p = new Prompt.Text(prompt.get(0).asText());
    } else if (prompt.isArray() && !prompt.isEmpty() && allIntegers(prompt)) {
      int[] ids = new int[prompt.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = prompt.get(i).intValue();
      }
      p = new Prompt.Ids(ids);
    } else if (prompt.isArray() && prompt.size() > 1 && prompt.get(0).isTextual()) {
      throw ApiError.badRequest(
          "prompt",
          "several prompts in one request are not supported; send one prompt per request");
    } else {
      throw ApiError.badRequest(
          "prompt", "'prompt' must be a string or an array of token ids, got " + describe(prompt));
    }
    if (flag(body, "echo")) {
      throw ApiError.badRequest("echo", "'echo' is not supported by this server; leave it false");
    }
    Integer bestOf = integer(body, "best_of", 1, 20);
    if (bestOf != null && bestOf > 1) {
      throw ApiError.badRequest("best_of", "'best_of' > 1 is not supported by this server");
    }
    String suffix = string(body, "suffix");
    if (suffix != null && !suffix.isEmpty()) {
      throw ApiError.badRequest("suffix", "'suffix' (insertion) is not supported by this server");
    }
    JsonNode logprobs = body.get("logprobs");
    if (logprobs != null
        && !logprobs.isNull()
        && !(logprobs.isIntegralNumber() && logprobs.intValue() == 0)) {
      throw ApiError.badRequest("logprobs", "'logprobs' is not supported by this server");
    }
    Integer max = integer(body, "max_tokens", 1, Integer.MAX_VALUE);
    CompletionRequest base =
        new CompletionRequest(p, 0, SamplingConfig.GREEDY, List.of(), PolicyOverrides.NONE, false);
    return common(body, base, max, false);
  }

  private static Parsed common(
      JsonNode body, CompletionRequest base, Integer maxTokens, boolean chat) {
    Integer n = integer(body, "n", 1, 128);
    if (n != null && n > 1) {
      throw ApiError.badRequest(
          "n",
          "'n' > 1 (several choices) is not supported by this server; send n = 1 or leave it out");
    }
    for (String penalty : List.of("presence_penalty", "frequency_penalty")) {
      Double v = number(body, penalty, -2, 2);
      if (v != null && v != 0) {
        throw ApiError.badRequest(
            penalty, "'" + penalty + "' is not supported by this server; leave it 0");
      }
    }
    JsonNode bias = body.get("logit_bias");
    if (bias != null && !bias.isNull() && !(bias.isObject() && bias.isEmpty())) {
      throw ApiError.badRequest("logit_bias", "'logit_bias' is not supported by this server");
    }
    Double temperature = number(body, "temperature", 0, 2);
    Double topP = number(body, "top_p", 0, 1);
    if (topP != null && topP == 0) {
      throw ApiError.badRequest("top_p", "'top_p' must be in (0, 1], got 0");
    }
    Integer topK = integer(body, "top_k", 0, Integer.MAX_VALUE);
    Long seed = longInteger(body, "seed");
    SamplingConfig sampling =
        new SamplingConfig(
            temperature == null ? 1.0 : temperature,
            topK == null ? 0 : topK,
            topP == null ? 1.0 : topP,
            seed != null ? seed : ThreadLocalRandom.current().nextLong());
    boolean stream = flag(body, "stream");
    boolean includeUsage = false;
    JsonNode options = body.get("stream_options");
    if (options != null && !options.isNull()) {
      if (!options.isObject()) {
        throw ApiError.badRequest(
            "stream_options",
            "'stream_options' must be an object such as {\"include_usage\": true}, got "
                + describe(options));
      }
      includeUsage = flag(options, "include_usage", "stream_options.include_usage");
    }
    boolean ignoreEos = flag(body, "ignore_eos");
    CompletionRequest c =
        base.withMaxTokens(maxTokens == null ? 0 : maxTokens)
            .withSampling(sampling)
            .withStop(stops(body))
            .withPolicy(ra(body))
            .withIgnoreEos(ignoreEos);
    return new Parsed(chat, c, stream, includeUsage);
  }

  private static ChatMessage message(JsonNode m, String where) {
    if (!m.isObject()) {
      throw ApiError.badRequest(
          where,
          "'" + where + "' must be an object with \"role\" and \"content\", got " + describe(m));
    }
    JsonNode role = m.get("role");
    if (role == null || !role.isTextual() || role.asText().isEmpty()) {
      throw ApiError.badRequest(
          where + ".role",
          "'" + where + ".role' must be a string such as \"user\", got " + describe(role));
    }
    JsonNode toolCalls = m.get("tool_calls");
    if (toolCalls != null && !toolCalls.isNull() && !(toolCalls.isArray() && toolCalls.isEmpty())) {
      throw ApiError.badRequest(
          where + ".tool_calls", "tool calls are not supported by this server");
    }
    String r = role.asText().equals("developer") ? "system" : role.asText();
    JsonNode content = m.get("content");
    if (content == null || content.isNull()) {
      return new ChatMessage(r, "");
    }
    if (content.isTextual()) {
      return new ChatMessage(r, content.asText());
    }
    if (content.isArray()) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < content.size(); i++) {
        JsonNode part = content.get(i);
        String at = where + ".content[" + i + "]";
        JsonNode type = part.get("type");
        if (!part.isObject() || type == null || !type.isTextual()) {
          throw ApiError.badRequest(
              at,
              "'"
                  + at
                  + "' must be a content part such as {\"type\": \"text\", \"text\": \"...\"}, got "
                  + describe(part));
        }
        if (!type.asText().equals("text")) {
          throw ApiError.badRequest(
              at,
              "content parts of type '"
                  + type.asText()
                  + "' are not supported by this server; send text");
        }
        JsonNode t = part.get("text");
        if (t == null || !t.isTextual()) {
          throw ApiError.badRequest(
              at + ".text", "'" + at + ".text' must be a string, got " + describe(t));
        }
        text.append(t.asText());
      }
      return new ChatMessage(r, text.toString());
    }
    throw ApiError.badRequest(
        where + ".content",
        "'"
            + where
            + ".content' must be a string or an array of text parts, got "
            + describe(content));
  }

  private static List<String> stops(JsonNode body) {
    JsonNode stop = body.get("stop");
    if (stop == null || stop.isNull()) {
      return List.of();
    }
    if (stop.isTextual()) {
      return List.of(nonEmptyStop(stop.asText()));
    }
    if (stop.isArray() && stop.size() <= CompletionRequest.MAX_STOP_STRINGS) {
      List<String> out = new ArrayList<>();
      for (JsonNode s : stop) {
        if (!s.isTextual()) {
          throw ApiError.badRequest(
              "stop",
              "'stop' must be a string or an array of strings, got an array holding "
                  + describe(s));
        }
        out.add(nonEmptyStop(s.asText()));
      }
      return out;
    }
    throw ApiError.badRequest(
        "stop",
        "'stop' must be a string or an array of at most "
            + CompletionRequest.MAX_STOP_STRINGS
            + " strings, got "
            + describe(stop));
  }

  private static String nonEmptyStop(String s) {
    if (s.isEmpty()) {
      throw ApiError.badRequest(
          "stop", "'stop' holds an empty string; give non-empty stop strings");
    }
    return s;
  }

  /**
   * The {@code "ra"} extension: {@code {"policy": "recycled", "budget": 64, "set":
   * {"ra.policy.recycled.stride": 5}}}.
   */
  private static PolicyOverrides ra(JsonNode body) {
    JsonNode ra = body.get("ra");
    if (ra == null || ra.isNull()) {
      return PolicyOverrides.NONE;
    }
    if (!ra.isObject()) {
      throw ApiError.badRequest(
          "ra",
          "'ra' must be an object such as {\"policy\": \"recycled\", \"budget\": 64, \"set\":"
              + " {...}}, got "
              + describe(ra));
    }
    for (Iterator<String> it = ra.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!RA_KEYS.contains(key)) {
        throw ApiError.badRequest(
            "ra." + key, "unknown key '" + key + "' in 'ra'; allowed: budget, policy, set");
      }
    }
    String policy = null;
    JsonNode p = ra.get("policy");
    if (p != null && !p.isNull()) {
      if (!p.isTextual()) {
        throw ApiError.badRequest(
            "ra.policy",
            "'ra.policy' must be a policy name such as \"recycled\", got " + describe(p));
      }
      policy = p.asText();
    }
    Integer budget = integer(ra, "budget", Integer.MIN_VALUE, Integer.MAX_VALUE, "ra.budget");
    Map<String, String> settings = new LinkedHashMap<>();
    JsonNode set = ra.get("set");
    if (set != null && !set.isNull()) {
      if (!set.isObject()) {
        throw ApiError.badRequest(
            "ra.set",
            "'ra.set' must be an object of configuration keys, e.g. {\"ra.policy.recycled.stride\":"
                + " 5}, got "
                + describe(set));
      }
      for (Map.Entry<String, JsonNode> e : set.properties()) {
        JsonNode v = e.getValue();
        if (!v.isValueNode() || v.isNull()) {
          throw ApiError.badRequest(
              "ra.set",
              "'ra.set' value of '"
                  + e.getKey()
                  + "' must be a string, number or boolean, got "
                  + describe(v));
        }
        settings.put(e.getKey(), v.asText());
      }
    }
    return new PolicyOverrides(policy, budget, settings);
  }

  private static boolean allIntegers(JsonNode array) {
    for (JsonNode n : array) {
      if (!n.isIntegralNumber() || !n.canConvertToInt()) {
        return false;
      }
    }
    return true;
  }

  private static Integer integer(JsonNode body, String field, int min, int max) {
    return integer(body, field, min, max, field);
  }

  private static Integer integer(JsonNode body, String field, int min, int max, String param) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw ApiError.badRequest(
          param, "'" + param + "' must be an integer" + range(min, max) + ", got " + describe(v));
    }
    int i = v.intValue();
    if (i < min || i > max) {
      throw ApiError.badRequest(
          param, "'" + param + "' must be an integer" + range(min, max) + ", got " + i);
    }
    return i;
  }

  private static String range(long min, long max) {
    if (min == Integer.MIN_VALUE && max == Integer.MAX_VALUE) {
      return "";
    }
    return max == Integer.MAX_VALUE ? " >= " + min : " in [" + min + ", " + max + "]";
  }

  private static Long longInteger(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw ApiError.badRequest(field, "'" + field + "' must be an integer, got " + describe(v));
    }
    return v.longValue();
  }

  private static Double number(JsonNode body, String field, double min, double max) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    double d = v.doubleValue();
    if (!v.isNumber() || !(d >= min && d <= max)) {
      throw ApiError.badRequest(
          field,
          "'" + field + "' must be a number in [" + fmt(min) + ", " + fmt(max) + "], got "
              + (v.isNumber() ? v.asText() : describe(v)));
    }
    return d;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static String string(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw ApiError.badRequest(field, "'" + field + "' must be a string, got " + describe(v));
    }
    return v.asText();
  }

  private static boolean flag(JsonNode body, String field) {
    return flag(body, field, field);
  }

  private static boolean flag(JsonNode body, String field, String param) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw ApiError.badRequest(param, "'" + param + "' must be true or false, got " + describe(v));
    }
    return v.booleanValue();
  }

  /** A short description of a JSON value for messages: its type and, for scalars, the value. */
  static String describe(JsonNode v) {
    if (v == null || v.isMissingNode()) {
      return "nothing";
    }
    JsonNodeType t = v.getNodeType();
    return switch (t) {
      case STRING -> {
        String s = v.asText();
        yield "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
      }
      case NUMBER, BOOLEAN -> v.asText();
      case NULL -> "null";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      default -> t.name().toLowerCase(Locale.ROOT);
    };
  }
}
