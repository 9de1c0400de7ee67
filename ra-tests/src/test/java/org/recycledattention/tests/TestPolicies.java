package org.recycledattention.tests;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.policy.Observation;
import org.recycledattention.api.policy.Phase;
import org.recycledattention.api.policy.PolicyConfig;

/**
 * Small policies for the kit's own tests: a correct sliding window (the positive control) and
 * variants of it, each with one deliberate defect the policy suite must catch.
 */
final class TestPolicies {
  private TestPolicies() {}

  private static final ConfigProperty<Integer> EXTRA_SLACK = ConfigProperty.ofInt("extra-slack", 1, Integer.MIN_VALUE, Integer.MAX_VALUE,
      "unchecked on purpose");

  /** Defects. */
  enum Defect {
    NONE,
    /** keeps budget + 1 entries */
    OVER_BUDGET,
    /** evicts one entry at every decode step even when under budget */
    EVICTS_UNDER_BUDGET,
    /** returns StepPlan.Partial during PREFILL */
    PARTIAL_DURING_PREFILL,
    /** asks for scores without declaring SCORES */
    UNDECLARED_SCORES,
    /** evicts without declaring EVICTION */
    UNDECLARED_EVICTION,
    /** picks the victim with an unseeded random generator */
    NONDETERMINISTIC,
    /** the provider counts sequences and the policy depends on the count */
    STATE_ACROSS_SEQUENCES,
    /** declares an unbounded int key and throws IllegalArgumentException for 0 */
    UNCHECKED_CONFIG,
    /** declares an unbounded int key and throws a ConfigException that does not name it */
    CONFIG_ERROR_WITHOUT_KEY
  }

  /** A sliding window of the {@code budget} most recent tokens (slot order ignored: by position), with one defect. */
  static AttentionPolicyProvider window(Defect defect) {
    return new WindowProvider(defect);
  }

  private static final class WindowProvider implements AttentionPolicyProvider {
    private final Defect defect;
    private final AtomicInteger sequences = new AtomicInteger();

    WindowProvider(Defect defect) {
      this.defect = defect;
    }

    @Override
    public String name() {
      return "window-" + defect.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    @Override
    public String description() {
      return "test window policy with defect " + defect;
    }

    @Override
    public List<ConfigProperty<?>> properties() {
      if (defect == Defect.UNCHECKED_CONFIG || defect == Defect.CONFIG_ERROR_WITHOUT_KEY) {
        return List.of(EXTRA_SLACK);
      }
      return List.of(ConfigProperty.ofChoice("victim", "oldest", List.of("oldest"), "which token leaves"),
          ConfigProperty.ofInt("unused", 3, 1, 10, "a bounded key"),
          ConfigProperty.ofDouble("ratio", 0.5, 0, 1, "a bounded number"),
          ConfigProperty.ofBoolean("flag", false, "a boolean"));
    }

    @Override
    public Set<BackendCapability> requiredCapabilities() {
      return switch (defect) {
        case UNDECLARED_SCORES -> EnumSet.of(BackendCapability.EVICTION);
        case UNDECLARED_EVICTION -> EnumSet.noneOf(BackendCapability.class);
        case PARTIAL_DURING_PREFILL -> EnumSet.of(BackendCapability.EVICTION, BackendCapability.PARTIAL_CACHE);
        default -> EnumSet.of(BackendCapability.EVICTION);
      };
    }

    @Override
    public AttentionPolicy create(PolicyConfig config, ModelShape shape) {
      if (defect == Defect.UNCHECKED_CONFIG || defect == Defect.CONFIG_ERROR_WITHOUT_KEY) {
        int slack = config.properties().get(EXTRA_SLACK);
        if (slack <= 0) {
          if (defect == Defect.UNCHECKED_CONFIG) {
            throw new IllegalArgumentException("slack must be positive");
          }
          throw new ConfigException("slack must be positive");
        }
      }
      return new Window(defect, config.budget(), sequences.incrementAndGet());
    }
  }

  private static final class Window implements AttentionPolicy {
    private final Defect defect;
    private final int keep;
    private final int sequence;
    private final Random unseeded = new Random();

    Window(Defect defect, int budget, int sequence) {
      this.defect = defect;
      this.keep = defect == Defect.OVER_BUDGET ? budget + 1 : budget;
      this.sequence = sequence;
    }

    @Override
    public StepPlan plan(int layer, DecodeStep step) {
      if (defect == Defect.PARTIAL_DURING_PREFILL && step.phase() == Phase.PREFILL) {
        return StepPlan.Partial.NO_SCORES;
      }
      return defect == Defect.UNDECLARED_SCORES ? StepPlan.Full.LAST_MAX : StepPlan.Full.NO_SCORES;
    }

    @Override
    public void observe(int layer, DecodeStep step, Observation observation, WorkingSet ws) {
      if (step.phase() == Phase.PREFILL) {
        return;
      }
      if (step.phase() == Phase.PREFILL_END && ws.length() > keep) {
        ws.retain(newest(ws, keep));
        return;
      }
      boolean evict = ws.length() > keep || (defect == Defect.EVICTS_UNDER_BUDGET && step.phase() == Phase.DECODE && ws.length() > 1);
      if (evict) {
        int[] slots = new int[ws.kvHeads()];
        for (int h = 0; h < slots.length; h++) {
          slots[h] = switch (defect) {
            case NONDETERMINISTIC -> unseeded.nextInt(ws.length());
            case STATE_ACROSS_SEQUENCES -> sequence % ws.length();
            default -> oldest(ws, h);
          };
        }
        ws.evict(slots);
      }
    }

    private static int oldest(WorkingSet ws, int h) {
      int best = 0;
      for (int s = 1; s < ws.length(); s++) {
        if (ws.position(h, s) < ws.position(h, best)) {
          best = s;
        }
      }
      return best;
    }

    private static Selection newest(WorkingSet ws, int keep) {
      int[][] slots = new int[ws.kvHeads()][];
      float[][] scores = new float[ws.kvHeads()][keep];
      for (int h = 0; h < slots.length; h++) {
        List<Integer> order = new ArrayList<>();
        for (int s = 0; s < ws.length(); s++) {
          order.add(s);
        }
        final int head = h;
        order.sort((a, b) -> Integer.compare(ws.position(head, b), ws.position(head, a)));
        slots[h] = order.subList(0, keep).stream().mapToInt(Integer::intValue).sorted().toArray();
      }
      return new Selection(slots, scores);
    }
  }
}
