import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.recycledattention.eval.ruler.RulerGenerator;
import org.recycledattention.eval.ruler.RulerTask;
import org.recycledattention.eval.ruler.TaskSample;
import org.recycledattention.inference.CompletionRequest;
import org.recycledattention.inference.Engine;
import org.recycledattention.train.ProbeVocabulary;

/**
 * How far a probe's lookup by key reaches (README, Results, point 21). Two-key {@code echo} prompts
 * with each value right after its key ({@code --adjacent-keys 1}, no haystack), cut at the first
 * question, so the answer is a lookup between the two needles (no elimination); then the same
 * prompts with RULER's noise text put before the needles (the needles and the question keep their
 * distance) and between the needles and the question (one, two and four units of about 30 tokens).
 * Greedy, full attention; prints per variant the answers right, those that are the other needle's
 * value, and the rest.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp 'ra-dist/target/lib/*' docs/training/DistanceProbe.java MODEL.gguf [SAMPLES]
 * </pre>
 */
public class DistanceProbe {
  static final String NOISE = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.";

  record Prompt(String intro, String needles, String question, String answer, String other) {}

  /** Units of noise text before the needles and between them and the question. */
  record Variant(String name, int before, int between) {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: DistanceProbe MODEL.gguf [SAMPLES (default 24)]");
      System.exit(2);
    }
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 24;
    var tokenizer = ProbeVocabulary.build().tokenizer();
    var generator = new RulerGenerator(s -> tokenizer.encode(s, false).length, 7).withKeyGap(RulerGenerator.KeyGap.NONE);
    Random depths = new Random(1);
    List<Prompt> prompts = new ArrayList<>();
    for (int i = 0; i < samples; i++) {
      // 64 tokens: shorter than any two-key sample, so the smallest one (no haystack) is returned
      TaskSample s = generator.generateAtDepth(RulerTask.ECHO, 64, i, depths.nextDouble(), 2);
      var shown = s.shownAnswers().get(0);
      String answer = s.prompt().substring(shown.start() + 1, shown.end() - 1);
      String[] lines = s.prompt().substring(0, shown.start()).split("\n");
      // with two keys the sample's own answer (the last asked) is the other needle's value
      prompts.add(new Prompt(lines[0], lines[1], lines[2], answer, s.answers().get(0)));
    }
    List<Variant> variants = List.of(new Variant("adjacent", 0, 0), new Variant("noise before the needles (3 units)", 3, 0),
        new Variant("noise between (1 unit)", 0, 1), new Variant("noise between (2 units)", 0, 2), new Variant("noise between (4 units)", 0, 4));
    try (Engine engine = Engine.builder().model(Path.of(args[0])).policy("full").backend("cpu").build()) {
      System.out.printf("%-36s %6s %14s %6s%n", "variant", "right", "other needle", "else");
      for (Variant v : variants) {
        int right = 0;
        int otherNeedle = 0;
        for (Prompt p : prompts) {
          String needles = (NOISE + " ").repeat(v.before()) + p.needles() + (" " + NOISE).repeat(v.between());
          String out = engine.complete(CompletionRequest.text(p.intro() + "\n" + needles + "\n" + p.question()).withMaxTokens(4)).text().strip();
          if (out.equals(p.answer())) {
            right++;
          } else if (out.equals(p.other())) {
            otherNeedle++;
          }
        }
        System.out.printf("%-36s %3d/%-2d %11d/%-2d %3d/%-2d%n", v.name(), right, samples, otherNeedle, samples, samples - right - otherNeedle, samples);
      }
    }
  }
}
