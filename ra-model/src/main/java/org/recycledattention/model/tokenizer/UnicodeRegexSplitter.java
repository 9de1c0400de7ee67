package org.recycledattention.model.tokenizer;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into words the way llama.cpp's {@code unicode_regex_split} does with a list of
 * regexes: the first regex splits the text into its matches and the runs between them, each later
 * regex splits every piece the previous ones left (a match never crosses a piece's end, and
 * lookaheads and {@code $} see a piece's end as the end of the text).
 *
 * <p>How each regex runs decides the result, so this follows llama.cpp's choice per regex:
 *
 * <ul>
 *   <li>GPT-2's regex and Llama 3's have hand-written splitters in llama.cpp (the Llama 3 one with
 *       case-insensitive contractions); here too, with the same behaviour at piece ends.
 *   <li>A regex with a Unicode class ({@code \p{N}}, {@code \p{L}}, {@code \p{P}}, {@code \p{M}},
 *       {@code \p{S}}) runs on a "collapsed" text: ASCII stays, every other code point becomes one
 *       placeholder per category (White_Space, number, letter, punctuation, mark, symbol, other),
 *       and each {@code \p{X}} becomes its placeholder plus the ASCII members llama.cpp lists for
 *       it. Its ASCII symbol list lacks {@code ~}, so {@code \p{S}} misses {@code ~} here as it
 *       does there.
 *   <li>Any other regex runs on the code points, with non-ASCII white space turned into U+000B; its
 *       {@code \s} is ASCII white space only (as C++'s {@code std::wregex} in the C locale).
 * </ul>
 *
 * The regexes use the syntax both C++'s ECMAScript grammar and {@link java.util.regex} read alike
 * (leftmost alternative first); {@code $} becomes {@code \z}. Immutable and thread-safe.
 */
final class UnicodeRegexSplitter {
  /** llama.cpp's GPT-2 regex, which it runs with a hand-written splitter. */
  static final String GPT2_REGEX =
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";

  /** Llama 3's regex as written in its tokenizer.json. */
  static final String LLAMA3_REGEX =
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
          + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

  /**
   * Llama 3's regex with the contractions spelled out, as llama.cpp lists it; the same splitter.
   */
  static final String LLAMA3_REGEX_ADAPTED =
      "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
          + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
          + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

  /** Placeholders of the collapsed text, as llama.cpp chose them. */
  private static final char COLLAPSED_WHITESPACE = '\u000B';

  private static final char COLLAPSED_OTHER = '\u00D0';
  private static final char COLLAPSED_NUMBER = '\u00D1';
  private static final char COLLAPSED_LETTER = '\u00D2';
  private static final char COLLAPSED_PUNCTUATION = '\u00D3';
  private static final char COLLAPSED_MARK = '\u00D4';
  private static final char COLLAPSED_SYMBOL = '\u00D5';

  private final List<String> regexes;
  private final List<Step> steps;

  /**
   * @param regexes llama.cpp's regexes for one pre-tokenizer, in order
   * @throws IllegalArgumentException when a regex mixes Unicode classes with non-ASCII text
   *     (llama.cpp refuses those too) or does not compile
   */
  UnicodeRegexSplitter(List<String> regexes) {
    this.regexes = List.copyOf(requireNonNull(regexes, "regexes is null"));
    List<Step> s = new ArrayList<>();
    for (String regex : this.regexes) {
      s.add(step(regex));
    }
    this.steps = List.copyOf(s);
  }

  List<String> regexes() {
    return regexes;
  }

  /** The words of {@code text}, in order; their concatenation is {@code text}. */
  List<String> split(String text) {
    Text t = new Text(text);
    IntList pieces = new IntList(4);
    pieces.add(t.cpts.length);
    for (Step step : steps) {
      IntList next = new IntList(pieces.size() * 2);
      int start = 0;
      for (int i = 0; i < pieces.size(); i++) {
        int end = start + pieces.get(i);
        step.split(t, start, end, next);
        start = end;
      }
      pieces = next;
    }
    List<String> words = new ArrayList<>(pieces.size());
    int start = 0;
    for (int i = 0; i < pieces.size(); i++) {
      int end = start + pieces.get(i);
      words.add(new String(t.cpts, start, end - start));
      start = end;
    }
    return words;
  }

  private static Step step(String regex) {
    if (regex.equals(GPT2_REGEX)) {
      return new Gpt2Step();
    }
    if (regex.equals(LLAMA3_REGEX) || regex.equals(LLAMA3_REGEX_ADAPTED)) {
      return new Llama3Step();
    }
    boolean categories = regex.matches("(?s).*\\\\p\\{[NLPMS]\\}.*");
    if (categories && !regex.chars().allMatch(c -> c < 0x80)) {
      throw new IllegalArgumentException(
          "regex mixes Unicode classes and non-ASCII characters, which llama.cpp does not support: "
              + regex);
    }
    String java = endAnchors(categories ? collapse(regex) : regex);
    Pattern pattern = Pattern.compile(java);
    return categories ? new CollapsedStep(pattern) : new CodepointStep(pattern);
  }

  /** Rewrites each {@code \p{X}} for the collapsed text: its placeholder plus its ASCII members. */
  private static String collapse(String regex) {
    StringBuilder out = new StringBuilder(regex.length() * 2);
    boolean inClass = false;
    for (int i = 0; i < regex.length(); i++) {
      char c = regex.charAt(i);
      boolean escaped = i > 0 && regex.charAt(i - 1) == '\\';
      if (c == '[' && !escaped) {
        inClass = true;
        out.append(c);
      } else if (c == ']' && inClass && !escaped) {
        inClass = false;
        out.append(c);
      } else if (c == '\\'
          && regex.startsWith("\\p{", i)
          && i + 4 < regex.length()
          && regex.charAt(i + 4) == '}'
          && "NLPMS".indexOf(regex.charAt(i + 3)) >= 0) {
        String members =
            switch (regex.charAt(i + 3)) {
              case 'N' -> COLLAPSED_NUMBER + "0-9";
              case 'L' -> COLLAPSED_LETTER + "A-Za-z";
              case 'P' -> COLLAPSED_PUNCTUATION + "!-#%-*,-/:-;?-@\\[-\\]_\\{\\}";
              case 'M' -> String.valueOf(COLLAPSED_MARK); // no ASCII marks
              default -> COLLAPSED_SYMBOL + "\\$\\+<->^`\\|"; // llama.cpp's list: no '~'
            };
        out.append(inClass ? members : "[" + members + "]");
        i += 4;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** ECMAScript's {@code $} (end of input only) is Java's {@code \z}. */
  private static String endAnchors(String regex) {
    StringBuilder out = new StringBuilder(regex.length());
    boolean inClass = false;
    for (int i = 0; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (c == '\\' && i + 1 < regex.length()) {
        out.append(c).append(regex.charAt(++i));
        continue;
      }
      if (c == '[') {
        inClass = true;
      } else if (c == ']') {
        inClass = false;
      }
      out.append(c == '$' && !inClass ? "\\z" : String.valueOf(c));
    }
    return out.toString();
  }

  /** The text as code points, with the views the steps need, built on first use. */
  private static final class Text {
    final int[] cpts;
    private int[] flags;
    private String collapsed;
    private String wide;
    private int[] cpToChar;
    private int[] charToCp;

    Text(String text) {
      this.cpts = text.codePoints().toArray();
    }

    int[] flags() {
      if (flags == null) {
        flags = new int[cpts.length];
        for (int i = 0; i < cpts.length; i++) {
          flags[i] = CodepointFlags.of(cpts[i]);
        }
      }
      return flags;
    }

    /** One char per code point: ASCII as is, the rest as its category's placeholder. */
    String collapsed() {
      if (collapsed == null) {
        char[] out = new char[cpts.length];
        int[] f = flags();
        for (int i = 0; i < cpts.length; i++) {
          out[i] = cpts[i] < 0x80 ? (char) cpts[i] : placeholder(f[i]);
        }
        collapsed = new String(out);
      }
      return collapsed;
    }

    private static char placeholder(int flags) {
      if ((flags & CodepointFlags.WHITESPACE) != 0) {
        return COLLAPSED_WHITESPACE;
      }
      return switch (flags & CodepointFlags.CATEGORIES) {
        case CodepointFlags.NUMBER -> COLLAPSED_NUMBER;
        case CodepointFlags.LETTER -> COLLAPSED_LETTER;
        case CodepointFlags.PUNCTUATION -> COLLAPSED_PUNCTUATION;
        case CodepointFlags.MARK -> COLLAPSED_MARK;
        case CodepointFlags.SYMBOL -> COLLAPSED_SYMBOL;
        default -> COLLAPSED_OTHER;
      };
    }

    /** The code points as a string, non-ASCII white space as U+000B. */
    String wide() {
      if (wide == null) {
        StringBuilder sb = new StringBuilder(cpts.length + 8);
        cpToChar = new int[cpts.length + 1];
        for (int i = 0; i < cpts.length; i++) {
          cpToChar[i] = sb.length();
          int cp = cpts[i];
          sb.appendCodePoint(
              cp >= 0x80 && CodepointFlags.isWhitespace(cp) ? COLLAPSED_WHITESPACE : cp);
        }
        cpToChar[cpts.length] = sb.length();
        charToCp = new int[sb.length() + 1];
        for (int i = 0; i <= cpts.length; i++) {
          charToCp[cpToChar[i]] = i;
        }
        wide = sb.toString();
      }
      return wide;
    }
  }

  /** Splits the code points [start, end) and appends the lengths of the parts to {@code out}. */
  private sealed interface Step permits Gpt2Step, Llama3Step, CollapsedStep, CodepointStep {
    void split(Text t, int start, int end, IntList out);
  }

  /** Appends matches of a regex and the runs between them (all in code points). */
  private static void regexSplit(Matcher m, int start, int end, int[] toCp, IntList out) {
    int last = start;
    while (m.find()) {
      int ms = toCp == null ? m.start() : toCp[m.start()];
      int me = toCp == null ? m.end() : toCp[m.end()];
      if (ms > last) {
        out.add(ms - last);
      }
      if (me > ms) {
        out.add(me - ms);
      }
      last = me;
    }
    if (last < end) {
      out.add(end - last);
    }
  }

  private record CollapsedStep(Pattern pattern) implements Step {
    @Override
    public void split(Text t, int start, int end, IntList out) {
      Matcher m = pattern.matcher(t.collapsed()).region(start, end);
      regexSplit(m, start, end, null, out);
    }
  }

  private record CodepointStep(Pattern pattern) implements Step {
    @Override
    public void split(Text t, int start, int end, IntList out) {
      String wide = t.wide();
      Matcher m = pattern.matcher(wide).region(t.cpToChar[start], t.cpToChar[end]);
      regexSplit(m, start, end, t.charToCp, out);
    }
  }

  /**
   * A cursor over one piece of the text for the hand-written splitters: code points and flags
   * inside the piece, nothing ({@link #NONE}, no flags) outside it, and the start of the word being
   * built.
   */
  private static final class Cursor {
    static final int NONE = -1;
    final int[] cpts;
    final int[] flags;
    final int start;
    final int end;
    final IntList out;
    int wordStart;

    Cursor(Text t, int start, int end, IntList out) {
      this.cpts = t.cpts;
      this.flags = t.flags();
      this.start = start;
      this.end = end;
      this.out = out;
      this.wordStart = start;
    }

    int cp(int i) {
      return i >= start && i < end ? cpts[i] : NONE;
    }

    int flags(int i) {
      return i >= start && i < end ? flags[i] : 0;
    }

    boolean is(int i, int flag) {
      return (flags(i) & flag) != 0;
    }

    /** Ends the current word at {@code i}; returns {@code i}. */
    int word(int i) {
      if (i > wordStart) {
        out.add(i - wordStart);
      }
      wordStart = i;
      return i;
    }

    /** The end of a contraction starting at {@code i} ('s 't 're 've 'm 'll 'd), or -1. */
    int contraction(int i, boolean ignoreCase) {
      if (cp(i) != '\'' || i + 1 >= end) {
        return -1;
      }
      int a = lower(cp(i + 1), ignoreCase);
      if (a == 's' || a == 't' || a == 'm' || a == 'd') {
        return i + 2;
      }
      if (i + 2 < end) {
        int b = lower(cp(i + 2), ignoreCase);
        if ((a == 'r' || a == 'v') && b == 'e' || a == 'l' && b == 'l') {
          return i + 3;
        }
      }
      return -1;
    }

    private static int lower(int cp, boolean ignoreCase) {
      return ignoreCase ? Character.toLowerCase(cp) : cp;
    }

    /** The end of the white-space run starting at {@code i}. */
    int whitespaceEnd(int i) {
      while (is(i, CodepointFlags.WHITESPACE)) {
        i++;
      }
      return i;
    }
  }

  private static final int WORDLIKE =
      CodepointFlags.WHITESPACE | CodepointFlags.LETTER | CodepointFlags.NUMBER;

  /** {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}. */
  private record Gpt2Step() implements Step {
    @Override
    public void split(Text t, int start, int end, IntList out) {
      Cursor c = new Cursor(t, start, end, out);
      int pos = start;
      while (pos < end) {
        int contraction = c.contraction(pos, false);
        if (contraction > 0) {
          pos = c.word(contraction);
          continue;
        }
        // an optional leading space belongs to the run of letters, digits or other symbols after it
        int from = c.cp(pos) == ' ' ? pos + 1 : pos;
        int f = c.flags(from);
        int run =
            (f & CodepointFlags.LETTER) != 0
                ? CodepointFlags.LETTER
                : (f & CodepointFlags.NUMBER) != 0
                    ? CodepointFlags.NUMBER
                    : f != 0 && (f & WORDLIKE) == 0 ? -1 : 0;
        if (run != 0) {
          int i = from;
          while (run > 0 ? c.is(i, run) : c.flags(i) != 0 && (c.flags(i) & WORDLIKE) == 0) {
            i++;
          }
          pos = c.word(i);
          continue;
        }
        pos = whitespace(c, pos, false);
      }
    }
  }

  /**
   * White space at {@code pos}: {@code \s*[\r\n]+} when {@code newlines} (up to the last CR or LF
   * of the run), else {@code \s+(?!\S)} (the run less its last character when something follows it
   * in the piece), else {@code \s+}; a character that is none of these is a word of its own.
   */
  private static int whitespace(Cursor c, int pos, boolean newlines) {
    int runEnd = c.whitespaceEnd(pos);
    if (newlines) {
      for (int i = runEnd - 1; i >= pos; i--) {
        if (c.cp(i) == '\r' || c.cp(i) == '\n') {
          return c.word(i + 1);
        }
      }
    }
    int n = runEnd - pos;
    if (n > 1 && runEnd < c.end) {
      return c.word(runEnd - 1);
    }
    return c.word(n > 0 ? runEnd : pos + 1);
  }

  /**
   * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
   * ?[^\s\p{L}\p{N}]+[\r\n]* |\s*[\r\n]+|\s+(?!\S)|\s+}.
   */
  private record Llama3Step() implements Step {
    @Override
    public void split(Text t, int start, int end, IntList out) {
      Cursor c = new Cursor(t, start, end, out);
      int pos = start;
      while (pos < end) {
        int contraction = c.contraction(pos, true);
        if (contraction > 0) {
          pos = c.word(contraction);
          continue;
        }
        int cp = c.cp(pos);
        // letters, with one leading character that is not CR, LF, or a digit
        if (cp != '\r'
            && cp != '\n'
            && !c.is(pos, CodepointFlags.NUMBER)
            && (c.is(pos, CodepointFlags.LETTER) || c.is(pos + 1, CodepointFlags.LETTER))) {
          int i = pos + 1;
          while (c.is(i, CodepointFlags.LETTER)) {
            i++;
          }
          pos = c.word(i);
          continue;
        }
        // digits in groups of three
        if (c.is(pos, CodepointFlags.NUMBER)) {
          int i = pos;
          while (c.is(i, CodepointFlags.NUMBER)) {
            i++;
            if (i - c.wordStart == 3) {
              c.word(i);
            }
          }
          pos = c.word(i);
          continue;
        }
        // an optional space, other symbols, then any CRs and LFs
        int from = cp == ' ' ? pos + 1 : pos;
        if ((c.flags(from) & WORDLIKE)
            == 0) { // also at the piece's end after a space, as llama.cpp
          int i = from;
          while (c.flags(i) != 0 && (c.flags(i) & WORDLIKE) == 0) {
            i++;
          }
          while (c.cp(i) == '\r' || c.cp(i) == '\n') {
            i++;
          }
          pos = c.word(i);
          continue;
        }
        pos = whitespace(c, pos, true);
      }
    }
  }
}
