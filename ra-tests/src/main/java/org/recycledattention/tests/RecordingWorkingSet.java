package org.recycledattention.tests;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.cache.support.ForwardingWorkingSet;
import org.recycledattention.api.policy.Phase;

/**
 * A {@link WorkingSet} decorator that records every operation a policy applies (for determinism
 * checks) and fails with an {@link AssertionError} when the policy applies one its declared
 * capabilities do not allow, or changes the working set during a {@link Phase#PREFILL} step.
 *
 * <p>Operations that need a capability: {@code evict}/{@code retain} need {@link
 * BackendCapability#EVICTION}; {@code gatherPartial}/{@code appendToPartial} need {@link
 * BackendCapability#PARTIAL_CACHE}; {@code clearPartial} needs none.
 *
 * <p>Not thread-safe, like the working set it wraps.
 */
public final class RecordingWorkingSet extends ForwardingWorkingSet {
  private final String policy;
  private final Set<BackendCapability> declared;
  private final List<String> log;
  private String context = "";
  private Phase phase = Phase.DECODE;

  /**
   * @param delegate the cache's working set
   * @param policy the policy name, for messages
   * @param declared the policy's {@code requiredCapabilities()}
   * @param log receives one line per operation
   */
  public RecordingWorkingSet(WorkingSet delegate, String policy, Set<BackendCapability> declared, List<String> log) {
    super(delegate);
    this.policy = requireNonNull(policy, "policy is null");
    this.declared = declared.isEmpty() ? EnumSet.noneOf(BackendCapability.class) : EnumSet.copyOf(declared);
    this.log = requireNonNull(log, "log is null");
  }

  /** Sets the step the next operations belong to (used in messages and the PREFILL check). */
  public void at(String context, Phase phase) {
    this.context = requireNonNull(context, "context is null");
    this.phase = requireNonNull(phase, "phase is null");
  }

  /** The recorded operations so far. */
  public List<String> log() {
    return log;
  }

  @Override
  public void evict(int[] slotPerHead) {
    check("evict", BackendCapability.EVICTION);
    log.add(context + " evict " + Arrays.toString(slotPerHead));
    delegate().evict(slotPerHead);
  }

  @Override
  public void retain(Selection selection) {
    check("retain", BackendCapability.EVICTION);
    log.add(context + " retain " + describe(selection));
    delegate().retain(selection);
  }

  @Override
  public void gatherPartial(Selection selection) {
    check("gatherPartial", BackendCapability.PARTIAL_CACHE);
    log.add(context + " gatherPartial " + describe(selection));
    delegate().gatherPartial(selection);
  }

  @Override
  public void appendToPartial(int[] replaceSlotPerHead) {
    check("appendToPartial", BackendCapability.PARTIAL_CACHE);
    log.add(context + " appendToPartial " + Arrays.toString(replaceSlotPerHead));
    delegate().appendToPartial(replaceSlotPerHead);
  }

  @Override
  public void clearPartial() {
    check("clearPartial", null);
    log.add(context + " clearPartial");
    delegate().clearPartial();
  }

  private void check(String operation, BackendCapability needed) {
    if (phase == Phase.PREFILL) {
      throw new AssertionError("policy '" + policy + "' called " + operation + " at " + context
          + ": a PREFILL step must not change the working set (prefill is full attention; change it at PREFILL_END)");
    }
    if (needed != null && !declared.contains(needed)) {
      throw new AssertionError("policy '" + policy + "' called " + operation + " at " + context + " but does not declare "
          + needed + " in requiredCapabilities() " + declared + "; a backend without " + needed + " would throw");
    }
  }

  /** Slots and scores of every head, for logs. */
  public static String describe(Selection s) {
    StringBuilder b = new StringBuilder("{");
    for (int h = 0; h < s.kvHeads(); h++) {
      b.append(h == 0 ? "" : ", ").append("h").append(h).append(Arrays.toString(s.slots(h))).append(Arrays.toString(s.scores(h)));
    }
    return b.append('}').toString();
  }

  static List<String> newLog() {
    return new ArrayList<>();
  }
}
