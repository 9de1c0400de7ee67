package org.recycledattention.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.recycledattention.eval.ruler.RulerTask;

/**
 * The backward pass reads only what the forward pass left for it. DJL's {@code NDArray.mul(Number)}
 * (also {@code add}, {@code pow} with a number) wraps the number in a tensor over a Java direct
 * buffer, uses it and closes it at once; the autograd graph still points at that memory, which the
 * JVM frees once the buffer is collected. A collection between the forward and the backward pass
 * then turns the attention scale that the scores' gradient is multiplied by into whatever the
 * allocator wrote there: the non-finite gradients of README point 8, and silently wrong ones.
 */
class GradientTest {
  @Test
  void aGarbageCollectionBetweenForwardAndBackwardChangesNoGradient() throws InterruptedException {
    ProbeGeometry tiny = new ProbeGeometry(2, 32, 4, 2, 8, 64, 512, 10000f, 1e-5f);
    ProbeTrainer trainer = new ProbeTrainer(tiny, ProbeVocabulary.build());
    ProbeTrainer.Options oneStep = new ProbeTrainer.Options(1, 2, 64, 64, 3, 1e-3, List.of(RulerTask.NIAH_SINGLE));
    ProbeWeights w = trainer.train(oneStep, log -> { });
    int[] tokens = new int[24];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = 5 + (i * 37) % 200;
    }
    Map<String, float[]> quiet = trainer.gradients(w, tokens, () -> { });
    Map<String, float[]> collected = trainer.gradients(w, tokens, GradientTest::collectAndChurn);
    assertThat(collected.keySet()).isEqualTo(quiet.keySet());
    List<String> changed = new ArrayList<>();
    for (String name : quiet.keySet()) {
      float[] a = quiet.get(name);
      float[] b = collected.get(name);
      double most = 0;
      for (int i = 0; i < a.length; i++) {
        most = Math.max(most, Float.compare(a[i], b[i]) == 0 ? 0 : Math.abs((double) a[i] - b[i]));
      }
      if (!Arrays.equals(a, b)) {
        changed.add(name + " (largest change " + most + ")");
      }
    }
    assertThat(changed).as("gradients changed by a garbage collection").isEmpty();
  }

  /** Collects garbage (direct buffers no longer reachable are freed) and reuses the freed memory. */
  private static void collectAndChurn() {
    for (int round = 0; round < 3; round++) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      List<ByteBuffer> churn = new ArrayList<>();
      for (int i = 0; i < 256; i++) {
        ByteBuffer b = ByteBuffer.allocateDirect(4);
        b.putFloat(0, Float.NaN);
        churn.add(b);
      }
      churn.clear();
    }
  }
}
