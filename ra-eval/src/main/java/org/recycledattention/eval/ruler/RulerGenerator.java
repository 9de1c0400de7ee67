package org.recycledattention.eval.ruler;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;
import org.recycledattention.api.config.ConfigException;

/**
 * Generates RULER-style samples of a target length in tokens, deterministically from a seed. The
 * haystack grows until one more unit would pass the target; {@code tokenCount} measures a text in
 * the model's tokenizer.
 *
 * <p>Immutable and thread-safe.
 */
public final class RulerGenerator {
  // RULER's "noise" haystack for needle tasks
  /** The needle tasks' first line. */
  private static final String INTRO =
      "Some special magic numbers are hidden within the following text. Make sure to memorize it. "
          + "I will quiz you about the numbers afterwards.\n";
  private static final String NOISE = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.";
  /**
   * With {@link #withFillerNumbers()}, one of these follows every unit of the noise haystack, with a
   * random number of 1 to 7 digits: a haystack with numbers in it, so that a needle's value is not the
   * only number in the prompt and a model cannot find it by what its tokens are. (RULER's own noise
   * haystack, the default, has no numbers.)
   */
  private static final String[] NUMBER_SENTENCES = {"There are %s birds.", "The bus number is %s.", "Room %s is empty."};
  private static final String[] ADJECTIVES = {"amber", "brave", "calm", "dusty", "eager", "faint", "gentle", "hollow", "icy", "jolly",
      "keen", "lucky", "misty", "noble", "odd", "proud", "quiet", "rapid", "silent", "tidy", "urban", "vivid", "witty", "young", "zesty"};
  private static final String[] NOUNS = {"anchor", "badger", "candle", "dragon", "engine", "falcon", "garden", "harbor", "island", "jacket",
      "kettle", "ladder", "meadow", "needle", "orchid", "pepper", "quartz", "river", "saddle", "temple", "umbrella", "valley", "walrus", "yacht", "zebra"};
  private static final String[] WORDS = {"apple", "brick", "cloud", "daisy", "eagle", "flame", "grape", "horse", "ivory", "jelly", "koala",
      "lemon", "mango", "night", "ocean", "piano", "queen", "robin", "stone", "tiger", "uncle", "violet", "whale", "xenon", "yield", "zebra",
      "acorn", "bread", "cider", "drum", "ember", "frost", "glove", "honey", "inlet", "judge", "knot", "lilac", "maple", "nickel"};

  private final ToIntFunction<String> tokenCount;
  private final long seed;
  private final boolean fillerNumbers;
  private final boolean keyedValues;
  private final KeyGap keyGap;

  /**
   * @param tokenCount the length of a text in tokens (no BOS), e.g. {@code s -> tok.encode(s, false).length}
   * @param seed generation seed; sample {@code i} of a task and length depends only on (seed, task, length, i)
   */
  public RulerGenerator(ToIntFunction<String> tokenCount, long seed) {
    this(tokenCount, seed, false, false, KeyGap.WORDS);
  }

  private RulerGenerator(ToIntFunction<String> tokenCount, long seed, boolean fillerNumbers, boolean keyedValues, KeyGap keyGap) {
    this.tokenCount = requireNonNull(tokenCount, "tokenCount is null");
    this.seed = seed;
    this.fillerNumbers = fillerNumbers;
    this.keyedValues = keyedValues;
    this.keyGap = requireNonNull(keyGap, "keyGap is null");
  }

  /**
   * This generator with numbers in the haystack: every unit of RULER's noise text is followed by a
   * sentence with a number of 1 to 7 digits ({@code There are 58 birds.}), so a needle's value is not
   * the only number in the prompt. The same samples otherwise (same seeds, needles and depths).
   */
  public RulerGenerator withFillerNumbers() {
    return new RulerGenerator(tokenCount, seed, true, keyedValues, keyGap);
  }

  /**
   * This generator with keyed values, for training only: in {@code niah_*}, {@code recall} and {@code
   * echo} samples a needle's value begins with a digit pair fixed by its key's first word ({@link
   * #keyedPair}), and a sample's keys have different first words. The answer's first pair can then be
   * predicted from the asked key alone, which gives a model a reason to represent the asked key at the
   * question and each needle's key at its value: the two sides a lookup by key matches. Samples
   * otherwise as without (same seeds, lengths and depths; other draws).
   */
  public RulerGenerator withKeyedValues() {
    return new RulerGenerator(tokenCount, seed, fillerNumbers, true, keyGap);
  }

  /** Whether values begin with a pair fixed by their key ({@link #withKeyedValues()}). */
  public boolean keyedValues() {
    return keyedValues;
  }

  /**
   * What stands between a key and its value in {@code recall} and {@code echo} samples, in the needles
   * and in the questions ({@link #withKeyGap}).
   */
  public enum KeyGap {
    /** The tasks' own words: {@code for K is: V.}, and {@code K is:} or {@code K mentioned in the provided text is} asked. */
    WORDS,
    /** A colon: {@code for K: V.}, {@code K:} asked. */
    COLON,
    /** Nothing: {@code for K V.}, {@code K} asked. */
    NONE
  }

  /**
   * This generator with {@code gap} between a key and its value in {@code recall} and {@code echo}
   * samples, for training only. With {@link KeyGap#NONE} the token before a value is its key's last,
   * so the lookup is the plain induction head's (attend to the token after the earlier occurrence of
   * the current token) and needs no head that carries the key a few positions forward: associative
   * recall, the form in which attention learns a lookup most easily, a first stage of key matching.
   * {@link KeyGap#COLON} puts one token between. Samples otherwise as with {@link KeyGap#WORDS} (same
   * seeds, keys, values and depths).
   */
  public RulerGenerator withKeyGap(KeyGap gap) {
    return new RulerGenerator(tokenCount, seed, fillerNumbers, keyedValues, gap);
  }

  /** What stands between a key and its value in {@code recall} and {@code echo} samples ({@link #withKeyGap}). */
  public KeyGap keyGap() {
    return keyGap;
  }

  /**
   * The first digit pair (10..99) of a keyed value ({@link #withKeyedValues()}) whose key begins with
   * {@code adjective}: one pair per first word, different for different words.
   *
   * @throws IllegalArgumentException when {@code adjective} is not a key's first word
   */
  public static int keyedPair(String adjective) {
    int i = List.of(ADJECTIVES).indexOf(adjective);
    if (i < 0) {
      throw new IllegalArgumentException("'" + adjective + "' is not a key's first word");
    }
    return 10 + (i * 37 + 11) % 90;
  }

  /** Whether the haystack has numbers in it ({@link #withFillerNumbers()}). */
  public boolean fillerNumbers() {
    return fillerNumbers;
  }

  /**
   * Every fixed piece of text the generator uses (templates, fillers, word lists), for building a
   * vocabulary that covers the tasks (the probe model's tokenizer).
   */
  public static String templateText() {
    StringBuilder sb = new StringBuilder();
    Random r = new Random(0);
    for (RulerTask t : RulerTask.values()) {
      sb.append(builder(t, r, 0.5, true, false, KeyGap.WORDS, KEYS).build(1)).append('\n');
    }
    for (String[] list : new String[][] {ADJECTIVES, NOUNS, WORDS}) {
      sb.append(String.join(" ", list)).append('\n');
    }
    for (String sentence : NUMBER_SENTENCES) {
      sb.append(String.format(Locale.ROOT, sentence, "1234567")).append('\n');
    }
    return sb.toString();
  }

  /**
   * Sample {@code index} of {@code samples} of {@code task} at about {@code targetTokens} tokens. The
   * needle depth of sample i is (i + 0.5) / samples: swept uniformly over the haystack.
   *
   * <p>The samples are independent of each other: each one's generator is seeded with a hash of
   * (seed, task, targetTokens, index) (SplitMix64's finaliser), so neighbouring samples, and sample
   * i at two lengths, draw unrelated keys, values and fillers.
   *
   * @throws ConfigException when even the smallest sample is longer than {@code targetTokens}
   */
  public TaskSample generate(RulerTask task, int targetTokens, int index, int samples) {
    if (index < 0 || index >= samples) {
      throw new IllegalArgumentException("sample index " + index + " is outside 0.." + (samples - 1));
    }
    return generate(task, targetTokens, index, (index + 0.5) / samples, false);
  }

  /**
   * A sample with the needle at {@code depth}, for training: sample {@code id} draws its keys and
   * values from (seed, task, targetTokens, id) like {@link #generate}, so consecutive ids give
   * independent samples. When even the smallest sample
   * is longer than {@code targetTokens} this returns that smallest sample (no haystack) instead of
   * throwing, for curricula that start below the templates' own length.
   *
   * @param depth where the (first) needle goes, a fraction of the haystack in [0, 1]
   */
  public TaskSample generateAtDepth(RulerTask task, int targetTokens, long id, double depth) {
    return generateAtDepth(task, targetTokens, id, depth, KEYS);
  }

  /**
   * {@link #generateAtDepth(RulerTask, int, long, double)} with {@code keys} needles of different
   * keys in {@code niah_multikey} (one asked, the others distractors) and {@code niah_multiquery}
   * (every one asked) instead of RULER's {@value #KEYS}: a training curriculum can start with fewer
   * distractors; {@code recall} has {@code keys} needles, all asked, and {@code induction} lists
   * {@code keys} values (at most {@value #INDUCTION_MAX_VALUES}). Other tasks ignore {@code keys};
   * with {@value #KEYS} this is the RULER sample.
   *
   * @param keys 1..{@value #MAX_KEYS}
   */
  public TaskSample generateAtDepth(RulerTask task, int targetTokens, long id, double depth, int keys) {
    if (!(depth >= 0 && depth <= 1)) {
      throw new IllegalArgumentException("depth " + depth + " is outside [0, 1]");
    }
    if (keys < 1 || keys > MAX_KEYS) {
      throw new IllegalArgumentException("keys " + keys + " is outside 1.." + MAX_KEYS);
    }
    return generate(task, targetTokens, id, depth, true, keys);
  }

  /**
   * The seed of one sample's {@code java.util.Random}: (seed, task, targetTokens, id) hashed one
   * after the other through SplitMix64's finaliser. A linear combination of them (what this once
   * was: {@code seed * 1,000,003 + task * 7,919 + targetTokens * 31 + id}) made consecutive samples
   * correlated, since the first draws of {@code java.util.Random}s seeded with consecutive numbers are
   * nearly linear in the seed: neighbouring samples often asked keys that shared a word, sample i at
   * 512 and 1,024 tokens asked a key with the same first word in 37 of 48 samples, and training's
   * share of right answers overstated what a probe knew (README, Results, point 17).
   */
  static long sampleSeed(long seed, RulerTask task, int targetTokens, long id) {
    long h = mix64(seed);
    h = mix64(h ^ task.ordinal());
    h = mix64(h ^ targetTokens);
    return mix64(h ^ id);
  }

  private static long mix64(long z) {
    z += 0x9E37_79B9_7F4A_7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
    return z ^ (z >>> 31);
  }

  /** Needles of different keys in {@code niah_multikey} and {@code niah_multiquery}, as in RULER. */
  public static final int KEYS = 4;
  /** The most keys {@link #generateAtDepth(RulerTask, int, long, double, int)} takes. */
  public static final int MAX_KEYS = 16;

  private TaskSample generate(RulerTask task, int targetTokens, long id, double depth, boolean shortestIfOver) {
    return generate(task, targetTokens, id, depth, shortestIfOver, KEYS);
  }

  private TaskSample generate(RulerTask task, int targetTokens, long id, double depth, boolean shortestIfOver, int keys) {
    Random r = new Random(sampleSeed(seed, task, targetTokens, id));
    Builder b = builder(task, r, depth, fillerNumbers, keyedValues, keyGap, keys);
    // largest haystack size that fits: exponential then binary search
    int lo = 0;
    if (tokenCount.applyAsInt(b.build(0)) > targetTokens) {
      if (shortestIfOver) {
        String prompt = b.build(0);
        return new TaskSample(task, prompt, b.answers(), tokenCount.applyAsInt(prompt), b.depth(), b.shown(prompt));
      }
      throw new ConfigException("task " + task.id() + " needs more than " + targetTokens + " tokens even without a haystack; use a longer --lengths value");
    }
    int hi = 1;
    while (tokenCount.applyAsInt(b.build(hi)) <= targetTokens) {
      lo = hi;
      hi *= 2;
      if (hi > 1 << 22) {
        break;
      }
    }
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (tokenCount.applyAsInt(b.build(mid)) <= targetTokens) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    String prompt = b.build(lo);
    return new TaskSample(task, prompt, b.answers(), tokenCount.applyAsInt(prompt), b.depth(), b.shown(prompt));
  }

  private static Builder builder(RulerTask task, Random r, double depth, boolean numbers, boolean keyed, KeyGap gap, int keys) {
    return switch (task) {
      case NIAH_SINGLE -> niah(r, depth, 1, 1, 1, numbers, keyed);
      case NIAH_MULTIKEY -> niah(r, depth, keys, 1, 1, numbers, keyed);
      case NIAH_MULTIVALUE -> niah(r, depth, 1, 4, 1, numbers, keyed);
      case NIAH_MULTIQUERY -> niah(r, depth, keys, 1, keys, numbers, keyed);
      case VT -> variableTracking(r, depth, numbers);
      case CWE -> commonWords(r);
      case FWE -> frequentWords(r);
      case RECALL -> recall(r, depth, keys, numbers, false, keyed, gap);
      case ECHO -> recall(r, depth, keys, numbers, true, keyed, gap);
      case INDUCTION -> induction(r, depth, keys, numbers);
    };
  }

  /** A sample whose haystack size is still open. */
  private interface Builder {
    String build(int haystackUnits);

    List<String> answers();

    double depth();

    /** The answers {@code prompt} (one this builder built) already shows ({@link TaskSample#shownAnswers()}). */
    default List<TaskSample.Span> shown(String prompt) {
      return List.of();
    }
  }

  private static String key(Random r) {
    return ADJECTIVES[r.nextInt(ADJECTIVES.length)] + "-" + NOUNS[r.nextInt(NOUNS.length)];
  }

  /** {@code count} different keys; with {@code keyed}, of different first words too. */
  private static List<String> keys(Random r, int count, boolean keyed) {
    Set<String> keySet = new LinkedHashSet<>();
    Set<String> firstWords = new HashSet<>();
    while (keySet.size() < count) {
      String k = key(r);
      if (!keyed || firstWords.add(firstWord(k))) {
        keySet.add(k);
      }
    }
    return new ArrayList<>(keySet);
  }

  private static String firstWord(String key) {
    return key.substring(0, key.indexOf('-'));
  }

  /** A keyed value: the pair {@link #keyedPair} fixes for {@code key}, then five random digits. */
  private static String keyedNumber(Random r, String key) {
    return String.format(Locale.ROOT, "%02d%05d", keyedPair(firstWord(key)), r.nextInt(100_000));
  }

  private static String number(Random r) {
    return Integer.toString(1_000_000 + r.nextInt(9_000_000));
  }

  private static Builder niah(Random r, double depth, int keys, int valuesPerKey, int queries, boolean numbers, boolean keyed) {
    List<String> keyList = keys(r, keys, keyed);
    List<String> needles = new ArrayList<>();
    List<String> answers = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      for (int v = 0; v < valuesPerKey; v++) {
        String value = keyed ? keyedNumber(r, keyList.get(k)) : number(r);
        needles.add("One of the special magic numbers for " + keyList.get(k) + " is: " + value + ".");
        if (k < queries) {
          answers.add(value);
        }
      }
    }
    // needles of the first key at the sample's depth, others spread at random depths
    List<Double> at = new ArrayList<>();
    for (int i = 0; i < needles.size(); i++) {
      at.add(i < valuesPerKey ? depth : r.nextDouble());
    }
    long fillerSeed = r.nextLong();
    // in a random order, so that needles that land in the same haystack unit (all of them when the
    // haystack is short) do not always put the asked key's first: that would be a shortcut. The order
    // draws nothing from r, so every other draw (keys, values, depths, haystack numbers, and the
    // template text the probe's vocabulary is built from) stays as it was
    List<Integer> order = shuffled(0, needles.size(), new Random(fillerSeed * 0x5DEE_CE66DL + 11));
    List<String> shuffled = new ArrayList<>();
    double[] depths = new double[needles.size()];
    for (int i = 0; i < order.size(); i++) {
      shuffled.add(needles.get(order.get(i)));
      depths[i] = at.get(order.get(i));
    }
    needles.clear();
    needles.addAll(shuffled);
    List<String> asked = keyList.subList(0, queries);
    String question = queries == 1 && valuesPerKey == 1
        ? "What is the special magic number for " + asked.get(0) + " mentioned in the provided text?"
        : "What are all the special magic numbers for " + String.join(", ", asked) + " mentioned in the provided text?";
    String prefix = queries == 1 && valuesPerKey == 1
        ? "The special magic number for " + asked.get(0) + " mentioned in the provided text is"
        : "The special magic numbers for " + String.join(", ", asked) + " mentioned in the provided text are";
    return new Builder() {
      @Override
      public String build(int units) {
        return INTRO + insert(fillerSeed, numbers, units, needles, depths) + "\n" + question + " " + prefix;
      }

      @Override
      public List<String> answers() {
        return answers;
      }

      @Override
      public double depth() {
        return depth;
      }
    };
  }

  /** The most values of an {@link RulerTask#INDUCTION} sample: its values' last digits all differ. */
  public static final int INDUCTION_MAX_VALUES = 10;

  /**
   * {@link RulerTask#INDUCTION}: one sentence listing {@code min(keys, }{@value #INDUCTION_MAX_VALUES}{@code )}
   * values, {@code The special magic numbers are: V1 V2 V3.}, at {@code depth} in the haystack, then
   * the question; the answer is the list again, in order. No token occurs twice in the list (the
   * values' first pairs, middle pairs and last digits all differ), so after the first value token
   * each answer token is the one that followed the previous answer token in the list: an induction
   * head's copy, which the needle tasks need once they have found their value.
   */
  private static Builder induction(Random r, double depth, int keys, boolean numbers) {
    int n = Math.min(keys, INDUCTION_MAX_VALUES);
    List<Integer> firsts = shuffled(10, 100, r);
    List<Integer> pairs = shuffled(0, 100, r);
    List<Integer> lastDigits = shuffled(0, 10, r);
    List<String> values = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      values.add(String.format(Locale.ROOT, "%02d%02d%02d%d", firsts.get(k), pairs.get(2 * k), pairs.get(2 * k + 1), lastDigits.get(k)));
    }
    String list = String.join(" ", values);
    List<String> sentence = List.of("The special magic numbers are: " + list + ".");
    long fillerSeed = r.nextLong();
    String question = "What are all the special magic numbers mentioned in the provided text? The special magic numbers mentioned in the provided text are";
    return new Builder() {
      @Override
      public String build(int units) {
        return INTRO + insert(fillerSeed, numbers, units, sentence, new double[] {depth}) + "\n" + question;
      }

      @Override
      public List<String> answers() {
        return List.of(list);
      }

      @Override
      public double depth() {
        return depth;
      }
    };
  }

  /**
   * {@link RulerTask#RECALL}: {@code keys} needles in {@code niah_multikey}'s format (the first key's
   * at {@code depth}, the others at random depths, in a random order where they share a haystack
   * unit), then one line that asks every key in a random order, {@code The special magic number for
   * K mentioned in the provided text is V.} each; the prompt ends before the last value, the answer.
   * So a sample asks for {@code keys} values, each right after its key, and the answer loss of
   * training covers all of them ({@link TaskSample#shownAnswers()}).
   *
   * <p>The values are made so that "the k-th digit token of a value" does not answer: with the
   * probe's tokens {@code ▁31 84 72 9}, each value has its own first pair, and the second and third
   * pairs of the sample's values are one pool of {@code keys} pairs, value i's third pair the pool's
   * next after its second. Every pair of the pool is the second pair of one value and the third of
   * another, so a model must copy the asked key's own value: find it by the key, then follow it (the
   * token after the previous answer token, where that token is a value's second pair).
   *
   * <p>With {@code echo} ({@link RulerTask#ECHO}) each question is the needle's own sentence,
   * {@code One of the special magic numbers for K is: V.}, and no value token occurs twice (as in
   * {@code induction}): the first value token is the one choice the key makes, the rest is a copy.
   *
   * <p>{@code gap} ({@link #withKeyGap}) is what stands between a key and its value, in the needles
   * and in the questions.
   */
  private static Builder recall(Random r, double depth, int keys, boolean numbers, boolean echo, boolean keyed, KeyGap gap) {
    List<String> keyList = keys(r, keys, keyed);
    List<Integer> firsts = new ArrayList<>(shuffled(10, 100, r));
    if (keyed) {
      for (int k = 0; k < keys; k++) {
        firsts.set(k, keyedPair(firstWord(keyList.get(k)))); // different first words: still one first pair per value
      }
    }
    List<Integer> pool = shuffled(0, 100, r);
    List<Integer> lastDigits = echo ? shuffled(0, 10, r) : List.of();
    List<String> values = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      if (echo) {
        // no token twice (last digits while there are ten): once the first value token is found by
        // the key, an induction head copies the rest, so the key is the only thing to learn
        int last = k < lastDigits.size() ? lastDigits.get(k) : r.nextInt(10);
        values.add(String.format(Locale.ROOT, "%02d%02d%02d%d", firsts.get(k), pool.get(2 * k), pool.get(2 * k + 1), last));
        continue;
      }
      // one key: no pool to share, the third pair is the pool's next all the same (never the second)
      int third = pool.get((k + 1) % Math.max(2, keys));
      values.add(String.format(Locale.ROOT, "%02d%02d%02d%d", firsts.get(k), pool.get(k), third, r.nextInt(10)));
    }
    String between = switch (gap) {
      case WORDS -> " is: ";
      case COLON -> ": ";
      case NONE -> " ";
    };
    List<String> needles = new ArrayList<>();
    List<Double> at = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      needles.add("One of the special magic numbers for " + keyList.get(k) + between + values.get(k) + ".");
      at.add(k == 0 ? depth : r.nextDouble());
    }
    long fillerSeed = r.nextLong();
    List<Integer> order = shuffled(0, keys, r);
    List<String> placed = new ArrayList<>();
    double[] depths = new double[keys];
    for (int i = 0; i < keys; i++) {
      placed.add(needles.get(order.get(i)));
      depths[i] = at.get(order.get(i));
    }
    List<Integer> asked = new ArrayList<>(order);
    Collections.shuffle(asked, r);
    StringBuilder queries = new StringBuilder();
    for (int i = 0; i < keys; i++) {
      int k = asked.get(i);
      queries.append(i == 0 ? "" : " ").append(echo ? "One of the special magic numbers for " : "The special magic number for ").append(keyList.get(k));
      queries.append(switch (gap) {
        case WORDS -> echo ? " is:" : " mentioned in the provided text is";
        case COLON -> ":";
        case NONE -> "";
      });
      if (i < keys - 1) {
        queries.append(' ').append(values.get(k)).append('.');
      }
    }
    List<String> shownValues = asked.subList(0, keys - 1).stream().map(values::get).toList();
    List<String> answer = List.of(values.get(asked.get(keys - 1)));
    return new Builder() {
      @Override
      public String build(int units) {
        return INTRO + insert(fillerSeed, numbers, units, placed, depths) + "\n" + queries;
      }

      @Override
      public List<String> answers() {
        return answer;
      }

      @Override
      public double depth() {
        return depth;
      }

      @Override
      public List<TaskSample.Span> shown(String prompt) {
        List<TaskSample.Span> spans = new ArrayList<>();
        int from = prompt.lastIndexOf('\n');
        for (String v : shownValues) {
          int start = prompt.indexOf(" " + v + ".", from);
          from = start + v.length() + 2;
          spans.add(new TaskSample.Span(start, from));
        }
        return spans;
      }
    };
  }

  /**
   * {@code units} units of the noise haystack with each needle inserted at its depth (a fraction of
   * the units). Unit {@code i} is the noise text and, with {@code numbers}, a sentence with a number,
   * drawn from ({@code fillerSeed}, i), so a sample keeps its first units when its haystack grows.
   */
  private static String insert(long fillerSeed, boolean numbers, int units, List<String> needles, double[] depths) {
    List<List<String>> at = new ArrayList<>();
    for (int i = 0; i <= units; i++) {
      at.add(new ArrayList<>());
    }
    for (int i = 0; i < needles.size(); i++) {
      at.get((int) Math.min(units, Math.floor(depths[i] * (units + 1)))).add(needles.get(i));
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i <= units; i++) {
      for (String n : at.get(i)) {
        sb.append(n).append(' ');
      }
      if (i < units) {
        sb.append(numbers ? noiseUnit(fillerSeed, i) : NOISE).append(' ');
      }
    }
    return sb.toString().strip();
  }

  /** Unit {@code i} of the noise haystack: {@link #NOISE} and a sentence with a number of 1 to 7 digits. */
  static String noiseUnit(long fillerSeed, int i) {
    Random u = new Random(fillerSeed ^ (i * 0x9E37_79B9_7F4A_7C15L));
    int digits = 1 + u.nextInt(7);
    long low = digits == 1 ? 0 : (long) Math.pow(10, digits - 1);
    long number = low + (long) (u.nextDouble() * (Math.pow(10, digits) - low));
    return NOISE + " " + String.format(Locale.ROOT, NUMBER_SENTENCES[u.nextInt(NUMBER_SENTENCES.length)], Long.toString(number));
  }

  private static Builder variableTracking(Random r, double depth, boolean numbers) {
    // RULER vt: one chain of 5 hops: VAR A = 12345, VAR B = VAR A, ...
    String value = Integer.toString(10_000 + r.nextInt(90_000));
    List<String> names = new ArrayList<>();
    Set<String> used = new LinkedHashSet<>();
    while (used.size() < 5) {
      StringBuilder n = new StringBuilder();
      for (int i = 0; i < 5; i++) {
        n.append((char) ('A' + r.nextInt(26)));
      }
      used.add(n.toString());
    }
    names.addAll(used);
    List<String> statements = new ArrayList<>();
    statements.add("VAR " + names.get(0) + " = " + value + ".");
    for (int i = 1; i < names.size(); i++) {
      statements.add("VAR " + names.get(i) + " = VAR " + names.get(i - 1) + ".");
    }
    double[] depths = new double[statements.size()];
    for (int i = 0; i < depths.length; i++) {
      depths[i] = depth * (i + 1) / depths.length; // in order, the chain spread up to the sample's depth
    }
    String intro = "Memorize and track the chain(s) of variable assignment hidden in the following text.\n\n";
    long fillerSeed = r.nextLong();
    String question = "\nQuestion: Find all variables that are assigned the value " + value
        + " in the text above. Answer: According to the chain(s) of variable assignment in the text above, " + names.size()
        + " variables are assigned the value " + value + ", they are:";
    return new Builder() {
      @Override
      public String build(int units) {
        return intro + insert(fillerSeed, numbers, units, statements, depths) + question;
      }

      @Override
      public List<String> answers() {
        return names;
      }

      @Override
      public double depth() {
        return depth;
      }
    };
  }

  /** The integers {@code from} to {@code to - 1} in an order shuffled by {@code r}. */
  private static List<Integer> shuffled(int from, int to, Random r) {
    List<Integer> list = new ArrayList<>();
    for (int i = from; i < to; i++) {
      list.add(i);
    }
    Collections.shuffle(list, r);
    return list;
  }

  private static Builder commonWords(Random r) {
    // RULER cwe: 10 common words appear many times, the rest rarely; the haystack unit is one round of uncommon words
    List<String> pool = new ArrayList<>(List.of(WORDS));
    Collections.shuffle(pool, r);
    List<String> common = pool.subList(0, 10);
    List<String> rare = pool.subList(10, pool.size());
    long wordSeed = r.nextLong();
    IntFunction<String> list = units -> {
      Random w = new Random(wordSeed);
      List<String> words = new ArrayList<>();
      int commonRepeats = 3 + units; // always more frequent than any rare word
      for (String c : common) {
        for (int i = 0; i < commonRepeats; i++) {
          words.add(c);
        }
      }
      for (int u = 0; u < units; u++) {
        words.add(rare.get(w.nextInt(rare.size())));
      }
      Collections.shuffle(words, w);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < words.size(); i++) {
        sb.append(i + 1).append(". ").append(words.get(i)).append('\n');
      }
      return sb.toString();
    };
    return wordsBuilder(list, List.copyOf(common),
        "Below is a numbered list of words. In these words, some appear more often than others. Memorize the ones that appear most often.\n",
        "Question: What are the 10 most common words in the above list? Answer: The top 10 words that appear most often in the list are:");
  }

  private static Builder frequentWords(Random r) {
    // RULER fwe: coded words drawn from a Zipf-like law; the answer is the 3 most frequent
    List<String> coded = new ArrayList<>();
    while (coded.size() < 12) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 5; i++) {
        sb.append((char) ('a' + r.nextInt(26)));
      }
      if (!coded.contains(sb.toString())) {
        coded.add(sb.toString());
      }
    }
    long wordSeed = r.nextLong();
    IntFunction<String> text = units -> {
      Random w = new Random(wordSeed);
      List<String> words = new ArrayList<>();
      int total = 12 + units * 6;
      for (int rank = 0; rank < coded.size(); rank++) {
        // counts strictly decreasing in rank so the top 3 are unambiguous
        int count = Math.max(1, (int) Math.round(total / (double) (rank + 2))) + (coded.size() - rank);
        for (int i = 0; i < count; i++) {
          words.add(coded.get(rank));
        }
      }
      Collections.shuffle(words, w);
      return String.join(" ", words) + "\n";
    };
    return wordsBuilder(text, List.copyOf(coded.subList(0, 3)),
        "Read the following coded text and track the frequency of each coded word. Find the three most frequently appeared coded words.\n",
        "Question: Do not provide any explanation. Please ignore the dots '....'. What are the three most frequently appeared words in the above coded text? "
            + "Answer: According to the coded text above, the three most frequently appeared words are:");
  }

  private static Builder wordsBuilder(IntFunction<String> body, List<String> answers, String intro, String question) {
    return new Builder() {
      @Override
      public String build(int units) {
        return intro + body.apply(units) + question;
      }

      @Override
      public List<String> answers() {
        return answers;
      }

      @Override
      public double depth() {
        return Double.NaN;
      }
    };
  }
}
