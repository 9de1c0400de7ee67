package org.recycledattention.inference.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python's {@code str} methods for Jinjava, which otherwise calls Java's: chat templates are
 * written for Python's Jinja, where {@code content.startswith('x')}, {@code role.upper()} and
 * {@code text.split('.')} mean what Python says ({@code split} takes a literal separator, not a
 * regular expression). Resolves a method call on a {@link String} when its name is one of {@link
 * #METHODS}; everything else falls through to the next resolver. Stateless.
 */
final class PythonMethods extends ELResolver {
  static final Set<String> METHODS =
      Set.of(
          "strip",
          "lstrip",
          "rstrip",
          "startswith",
          "endswith",
          "upper",
          "lower",
          "title",
          "capitalize",
          "split",
          "splitlines",
          "replace",
          "find",
          "count",
          "join",
          "isspace",
          "isdigit",
          "isalpha");

  @Override
  public Object invoke(
      ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
    if (!(base instanceof String s)
        || !(method instanceof String name)
        || !METHODS.contains(name)) {
      return null;
    }
    Object[] args = params == null ? new Object[0] : params;
    Object result = call(s, name, args);
    context.setPropertyResolved(true);
    return result;
  }

  private static Object call(String s, String name, Object[] a) {
    return switch (name) {
      case "strip" -> strip(s, chars(a), true, true);
      case "lstrip" -> strip(s, chars(a), true, false);
      case "rstrip" -> strip(s, chars(a), false, true);
      case "startswith" -> anyOf(a, 0).stream().anyMatch(s::startsWith);
      case "endswith" -> anyOf(a, 0).stream().anyMatch(s::endsWith);
      case "upper" -> s.toUpperCase(Locale.ROOT);
      case "lower" -> s.toLowerCase(Locale.ROOT);
      case "title" -> title(s);
      case "capitalize" ->
          s.isEmpty()
              ? s
              : s.substring(0, 1).toUpperCase(Locale.ROOT)
                  + s.substring(1).toLowerCase(Locale.ROOT);
      case "split" ->
          split(
              s,
              a.length > 0 && a[0] != null ? a[0].toString() : null,
              a.length > 1 ? ((Number) a[1]).intValue() : -1);
      case "splitlines" -> s.lines().toList();
      case "replace" ->
          replace(
              s, a[0].toString(), a[1].toString(), a.length > 2 ? ((Number) a[2]).intValue() : -1);
      case "find" -> (long) s.indexOf(a[0].toString());
      case "count" -> count(s, a[0].toString());
      case "join" -> join(s, a[0]);
      case "isspace" -> !s.isEmpty() && s.isBlank();
      case "isdigit" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
      case "isalpha" -> !s.isEmpty() && s.chars().allMatch(Character::isLetter);
      default -> throw new IllegalStateException("unhandled method " + name);
    };
  }

  private static String chars(Object[] a) {
    return a.length > 0 && a[0] != null ? a[0].toString() : null;
  }

  /** Python's strip: whitespace, or any of {@code chars}. */
  private static String strip(String s, String chars, boolean left, boolean right) {
    int from = 0;
    int to = s.length();
    while (left && from < to && stripped(s.charAt(from), chars)) {
      from++;
    }
    while (right && to > from && stripped(s.charAt(to - 1), chars)) {
      to--;
    }
    return s.substring(from, to);
  }

  private static boolean stripped(char c, String chars) {
    return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
  }

  private static List<String> anyOf(Object[] a, int i) {
    List<String> out = new ArrayList<>();
    if (a[i] instanceof Collection<?> c) {
      c.forEach(x -> out.add(String.valueOf(x)));
    } else if (a[i] instanceof Object[] arr) {
      for (Object x : arr) {
        out.add(String.valueOf(x));
      }
    } else {
      out.add(String.valueOf(a[i]));
    }
    return out;
  }

  private static String title(String s) {
    StringBuilder b = new StringBuilder(s.length());
    boolean start = true;
    for (char c : s.toCharArray()) {
      b.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
      start = !Character.isLetter(c);
    }
    return b.toString();
  }

  /** Python's split: on runs of whitespace without a separator, else on the literal separator. */
  private static List<String> split(String s, String sep, int max) {
    List<String> out = new ArrayList<>();
    if (sep == null) {
      String rest = s.strip();
      while (!rest.isEmpty()) {
        if (max >= 0 && out.size() == max) {
          out.add(rest);
          return out;
        }
        int i = 0;
        while (i < rest.length() && !Character.isWhitespace(rest.charAt(i))) {
          i++;
        }
        out.add(rest.substring(0, i));
        rest = rest.substring(i).stripLeading();
      }
      return out;
    }
    if (sep.isEmpty()) {
      throw new IllegalArgumentException("empty separator");
    }
    int from = 0;
    while (max < 0 || out.size() < max) {
      int at = s.indexOf(sep, from);
      if (at < 0) {
        break;
      }
      out.add(s.substring(from, at));
      from = at + sep.length();
    }
    out.add(s.substring(from));
    return out;
  }

  private static String replace(String s, String old, String replacement, int count) {
    if (count < 0) {
      return s.replace(old, replacement);
    }
    StringBuilder b = new StringBuilder();
    int from = 0;
    for (int n = 0; n < count; n++) {
      int at = s.indexOf(old, from);
      if (at < 0) {
        break;
      }
      b.append(s, from, at).append(replacement);
      from = at + old.length();
    }
    return b.append(s.substring(from)).toString();
  }

  private static long count(String s, String sub) {
    if (sub.isEmpty()) {
      return s.length() + 1L;
    }
    long n = 0;
    for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
      n++;
    }
    return n;
  }

  private static String join(String sep, Object items) {
    List<String> parts = new ArrayList<>();
    if (items instanceof Iterable<?> it) {
      it.forEach(x -> parts.add(String.valueOf(x)));
    } else {
      parts.add(String.valueOf(items));
    }
    return String.join(sep, parts);
  }

  /** {@code text[i]}: a one-character string, counting from the end when negative, as in Python. */
  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    if (!(base instanceof String s)) {
      return null;
    }
    long index;
    if (property instanceof Number n) {
      index = n.longValue();
    } else if (property instanceof String p && p.matches("-?\\d{1,9}")) {
      index = Long.parseLong(p); // Jinjava passes a literal index as text
    } else {
      return null;
    }
    long i = index < 0 ? s.length() + index : index;
    context.setPropertyResolved(true);
    return i >= 0 && i < s.length() ? String.valueOf(s.charAt((int) i)) : null;
  }

  @Override
  public Class<?> getType(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public void setValue(ELContext context, Object base, Object property, Object value) {}

  @Override
  public boolean isReadOnly(ELContext context, Object base, Object property) {
    return true;
  }

  @Override
  public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
    return null;
  }

  @Override
  public Class<?> getCommonPropertyType(ELContext context, Object base) {
    return null;
  }
}
