package org.recycledattention.inference.chat;

import static java.util.Objects.requireNonNull;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jinjava.javax.el.CompositeELResolver;
import org.recycledattention.api.RaException;
import org.recycledattention.model.io.SafeText;

/**
 * A model's chat template: the Jinja program in GGUF's {@code tokenizer.chat_template} that turns a
 * conversation into the prompt text the model was trained on, rendered with Jinjava the way Hugging
 * Face's {@code apply_chat_template} renders it with Python's Jinja ({@code trim_blocks} and {@code
 * lstrip_blocks} on, a trailing newline dropped). Jinjava runs with the {@link LegacyOverrides}
 * that make it Python-like: operator precedence, whitespace control on expressions ({@code {{- x
 * }}}), dict keys evaluated as expressions.
 *
 * <p>Templates see {@code messages} (a list of {@code {role, content}}), {@code
 * add_generation_prompt}, {@code bos_token}, {@code eos_token}, and the functions {@code
 * raise_exception(message)} and {@code strftime_now(format)}. Python's string methods ({@code
 * strip}, {@code startswith}, {@code split}, ...: {@link PythonMethods}), {@code namespace()},
 * loops with {@code loop.first/last/index0}, slices ({@code messages[1:]}), filters such as {@code
 * trim} and {@code tojson} work. Anything else the renderer does not know (an unknown tag, filter,
 * function or method) is an error naming it, never silently wrong output.
 *
 * <p>{@link #fallback()} is used for models without a template: one {@code role: content} line per
 * message, then {@code assistant:} when a reply is wanted ({@value #FALLBACK_SOURCE_TEXT}).
 *
 * <p>Immutable and thread-safe.
 */
public final class ChatTemplate {
  /** The GGUF metadata key of the template. */
  public static final String GGUF_KEY = "tokenizer.chat_template";

  static final String FALLBACK_SOURCE_TEXT = "role: content per line, then 'assistant:'";

  private static final String FALLBACK_SOURCE =
      "{% for message in messages %}{{ message['role'] }}: {{ message['content'] }}\n{% endfor %}"
          + "{% if add_generation_prompt %}assistant:{% endif %}";

  /** Leading blanks of a line before a block tag: what Jinja's lstrip_blocks removes (and {@code {%+} keeps). */
  private static final Pattern LSTRIP = Pattern.compile("(?m)^[ \\t]+(?=\\{%(?!\\+))");

  /** Loop attributes Jinjava lacks: rendering them would silently give nothing. */
  private static final Pattern UNSUPPORTED_LOOP = Pattern.compile("\\bloop\\.(previtem|nextitem|changed)\\b");

  private final String source;
  private final String prepared;
  private final boolean fallback;
  private final Jinjava jinjava;

  private ChatTemplate(String source, boolean fallback) {
    this.source = source;
    this.fallback = fallback;
    // Jinja's lstrip_blocks strips blanks only at the start of a line; Jinjava's strips any blank
    // text
    // before a tag ("{{ a }} {% if %}" loses its space), so it is applied here, on the source,
    // instead.
    // Python's Jinja also drops one trailing newline of the source (keep_trailing_newline is off).
    String text = source.endsWith("\n") ? source.substring(0, source.length() - 1) : source;
    this.prepared = LSTRIP.matcher(text).replaceAll("").replace("{%+", "{%");
    this.jinjava = newJinjava();
    JinjavaInterpreter interpreter = jinjava.newInterpreter();
    interpreter.parse(prepared);
    List<TemplateError> errors = fatal(interpreter.getErrors());
    if (!errors.isEmpty()) {
      throw ChatTemplateException.unsupported(
          "the chat template cannot be used here: "
              + describe(errors.getFirst())
              + "; pass another template (--chat-template FILE)");
    }
    Matcher loop = UNSUPPORTED_LOOP.matcher(prepared);
    if (loop.find()) {
      throw ChatTemplateException.unsupported(
          "the chat template cannot be used here: it uses "
              + loop.group()
              + ", which this renderer lacks; pass another template (--chat-template FILE)");
    }
  }

  /**
   * A template from its Jinja source.
   *
   * @throws ChatTemplateException when it does not parse or uses a tag this renderer lacks
   */
  public static ChatTemplate of(String source) {
    return new ChatTemplate(requireNonNull(source, "source is null"), false);
  }

  /** The template for models that carry none (see the class comment). */
  public static ChatTemplate fallback() {
    return new ChatTemplate(FALLBACK_SOURCE, true);
  }

  /**
   * The template in a GGUF's metadata ({@value #GGUF_KEY}), if it has one.
   *
   * @throws ChatTemplateException when it is there but cannot be used
   */
  public static Optional<ChatTemplate> fromMetadata(Map<String, Object> metadata) {
    return metadata.get(GGUF_KEY) instanceof String s && !s.isBlank()
        ? Optional.of(of(s))
        : Optional.empty();
  }

  public String source() {
    return source;
  }

  /** Whether this is {@link #fallback()}. */
  public boolean isFallback() {
    return fallback;
  }

  /**
   * Renders a conversation.
   *
   * @param addGenerationPrompt end with the header of the assistant's reply, so the model writes it
   * @param bosToken the text of the model's BOS token ("" if none)
   * @param eosToken the text of the model's EOS token ("" if none)
   * @throws ChatTemplateException when the template rejects the messages ({@code raise_exception},
   *     {@link ChatTemplateException#rejected()}) or uses something this renderer lacks
   */
  public String render(
      List<ChatMessage> messages, boolean addGenerationPrompt, String bosToken, String eosToken) {
    requireNonNull(messages, "messages is null");
    List<Map<String, Object>> list = new ArrayList<>(messages.size());
    for (ChatMessage m : messages) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("role", m.role());
      map.put("content", m.content());
      list.add(map);
    }
    Map<String, Object> context = new HashMap<>();
    context.put("messages", list);
    context.put("add_generation_prompt", addGenerationPrompt);
    context.put("bos_token", requireNonNull(bosToken, "bosToken is null"));
    context.put("eos_token", requireNonNull(eosToken, "eosToken is null"));
    RenderResult result;
    try {
      result = jinjava.renderForResult(prepared, context);
    } catch (RuntimeException e) {
      throw failure(e.getMessage());
    }
    List<TemplateError> errors = fatal(result.getErrors());
    if (!errors.isEmpty()) {
      TemplateError first = errors.getFirst();
      for (TemplateError e : errors) {
        for (Throwable t = e.getException(); t != null; t = t.getCause()) {
          if (t instanceof Raised raised) {
            throw ChatTemplateException.rejected(
                "the chat template refused the messages: " + raised.reason());
          }
        }
        String m = e.getMessage();
        if (m != null && m.contains(Raised.MARKER)) {
          throw ChatTemplateException.rejected(
              "the chat template refused the messages: "
                  + SafeText.line(m.substring(m.indexOf(Raised.MARKER) + Raised.MARKER.length())));
        }
      }
      throw failure(describe(first));
    }
    return result.getOutput();
  }

  private static ChatTemplateException failure(String what) {
    return ChatTemplateException.unsupported(
        "the chat template does not render here: "
            + SafeText.line(what)
            + "; pass another template (--chat-template FILE)");
  }

  /**
   * Fatal errors, and the warnings Jinjava gives where it would otherwise render nothing in place of
   * something Jinja resolves ("Cannot resolve property": an attribute of a string or of the loop).
   */
  private static List<TemplateError> fatal(List<TemplateError> errors) {
    return errors.stream()
        .filter(
            e ->
                e.getSeverity() == TemplateError.ErrorType.FATAL
                    || e.getMessage() != null && e.getMessage().startsWith("Cannot resolve property"))
        .toList();
  }

  private static String describe(TemplateError e) {
    return SafeText.line(e.getMessage()) + (e.getLineno() > 0 ? " (line " + e.getLineno() + ")" : "");
  }

  private static Jinjava newJinjava() {
    CompositeELResolver resolver = new CompositeELResolver();
    resolver.add(new PythonMethods());
    resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
    JinjavaConfig config =
        JinjavaConfig.newBuilder()
            .withTrimBlocks(true)
            .withLstripBlocks(false)
            .withElResolver(resolver)
            .withFailOnUnknownTokens(false)
            .withLocale(Locale.ROOT)
            .withLegacyOverrides(
                LegacyOverrides.newBuilder()
                    .withUseTrimmingForNotesAndExpressions(true)
                    .withUseNaturalOperatorPrecedence(true)
                    .withParseWhitespaceControlStrictly(true)
                    .withEvaluateMapKeys(true)
                    .withKeepNullableLoopValues(true)
                    .build())
            .build();
    Jinjava j = new Jinjava(config);
    j.getGlobalContext().registerFilter(new PythonJson());
    try {
      j.getGlobalContext()
          .registerFunction(
              new ELFunctionDefinition(
                  "",
                  "raise_exception",
                  ChatTemplate.class.getDeclaredMethod("raiseException", String.class)));
      j.getGlobalContext()
          .registerFunction(
              new ELFunctionDefinition(
                  "",
                  "strftime_now",
                  ChatTemplate.class.getDeclaredMethod("strftimeNow", String.class)));
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(e);
    }
    return j;
  }

  /** {@code raise_exception(message)}: the template refuses the conversation. */
  public static String raiseException(String message) {
    throw new Raised(message);
  }

  /**
   * {@code strftime_now(format)}: the current local time in Python's strftime notation (%d %b %B %Y
   * %m %H %M %S %a %A %y %j %p %I %e %%).
   */
  public static String strftimeNow(String format) {
    return strftime(ZonedDateTime.now(), format);
  }

  static String strftime(ZonedDateTime t, String format) {
    StringBuilder b = new StringBuilder();
    Matcher m = Pattern.compile("%(.)").matcher(format);
    int last = 0;
    while (m.find()) {
      b.append(format, last, m.start());
      char c = m.group(1).charAt(0);
      b.append(
          switch (c) {
            case 'd' -> String.format(Locale.ROOT, "%02d", t.getDayOfMonth());
            case 'e' -> String.format(Locale.ROOT, "%2d", t.getDayOfMonth());
            case 'm' -> String.format(Locale.ROOT, "%02d", t.getMonthValue());
            case 'Y' -> Integer.toString(t.getYear());
            case 'y' -> String.format(Locale.ROOT, "%02d", t.getYear() % 100);
            case 'b' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'H' -> String.format(Locale.ROOT, "%02d", t.getHour());
            case 'I' -> String.format(Locale.ROOT, "%02d", (t.getHour() + 11) % 12 + 1);
            case 'p' -> t.getHour() < 12 ? "AM" : "PM";
            case 'M' -> String.format(Locale.ROOT, "%02d", t.getMinute());
            case 'S' -> String.format(Locale.ROOT, "%02d", t.getSecond());
            case 'j' -> String.format(Locale.ROOT, "%03d", t.getDayOfYear());
            case '%' -> "%";
            default ->
                throw new IllegalArgumentException("strftime_now: unsupported directive %" + c);
          });
      last = m.end();
    }
    return b.append(format.substring(last)).toString();
  }

  /** What {@code raise_exception} throws, recognised after rendering. */
  static final class Raised extends RaException {
    static final String MARKER = "raise_exception: ";

    private final String reason;

    Raised(String reason) {
      super(MARKER + reason, null, USAGE_ERROR);
      this.reason = reason;
    }

    String reason() {
      return reason;
    }
  }
}
