package org.recycledattention.inference.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.Map;

/**
 * The {@code tojson} filter as Hugging Face's chat templates have it: Python's {@code json.dumps(x,
 * ensure_ascii=False, indent=indent)}, keys in their order, {@code ", "} and {@code ": "} between
 * items (one item per line when {@code indent} is given). Jinjava's own writes compact JSON.
 * Stateless.
 */
final class PythonJson implements Filter {
  @Override
  public String getName() {
    return "tojson";
  }

  @Override
  public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
    return dumps(var, args.length > 0 && args[0] != null ? Integer.parseInt(args[0].strip()) : -1);
  }

  @Override
  public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
    Object indent = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
    return dumps(var, indent == null ? -1 : Integer.parseInt(indent.toString().strip()));
  }

  /** {@code value} as Python's json.dumps writes it; {@code indent < 0}: on one line. */
  static String dumps(Object value, int indent) {
    StringBuilder b = new StringBuilder();
    write(b, value, indent, 0);
    return b.toString();
  }

  private static void write(StringBuilder b, Object v, int indent, int level) {
    switch (v) {
      case null -> b.append("null");
      case String s -> string(b, s);
      case Boolean bool -> b.append(bool);
      case Double d when d == Math.rint(d) && !Double.isInfinite(d) -> b.append(d.longValue()).append(".0");
      case Float f when f == Math.rint(f) && !Float.isInfinite(f) -> b.append(f.longValue()).append(".0");
      case Number n -> b.append(n);
      case Map<?, ?> m -> {
        if (m.isEmpty()) {
          b.append("{}");
          return;
        }
        b.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
          separator(b, first, indent, level + 1);
          first = false;
          string(b, String.valueOf(e.getKey()));
          b.append(": ");
          write(b, e.getValue(), indent, level + 1);
        }
        close(b, indent, level, '}');
      }
      case Iterable<?> list -> {
        if (!list.iterator().hasNext()) {
          b.append("[]");
          return;
        }
        b.append('[');
        boolean first = true;
        for (Object item : list) {
          separator(b, first, indent, level + 1);
          first = false;
          write(b, item, indent, level + 1);
        }
        close(b, indent, level, ']');
      }
      default -> string(b, v.toString());
    }
  }

  private static void separator(StringBuilder b, boolean first, int indent, int level) {
    if (indent < 0) {
      b.append(first ? "" : ", ");
    } else {
      b.append(first ? "\n" : ",\n").append(" ".repeat(indent * level));
    }
  }

  private static void close(StringBuilder b, int indent, int level, char bracket) {
    if (indent >= 0) {
      b.append('\n').append(" ".repeat(indent * level));
    }
    b.append(bracket);
  }

  private static void string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
