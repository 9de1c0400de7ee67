package org.recycledattention.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A probe written with an earlier version of the vocabulary is carried over piece by piece. */
class ProbeReaderTest {
  private final ProbeVocabulary vocabulary = ProbeVocabulary.build();

  @Test
  void anEarlierVocabularyMapsEachSharedPieceToItsNewIdAndDropsTheRest() {
    List<String> now = vocabulary.pieces();
    List<String> earlier = new ArrayList<>(now.subList(0, 3));
    earlier.add("a-piece-no-longer-there");
    earlier.addAll(now.subList(3, now.size() - 5).reversed()); // other order, five pieces missing
    int[] ids = ProbeReader.remap(earlier, vocabulary);
    assertThat(ids).isNotNull().hasSize(earlier.size());
    assertThat(ids[0]).isZero();
    assertThat(ids[3]).isEqualTo(-1);
    for (int i = 4; i < ids.length; i++) {
      assertThat(now.get(ids[i])).isEqualTo(earlier.get(i));
    }
    int dim = 2;
    float[] rows = new float[earlier.size() * dim];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = i;
    }
    ProbeWeights.Tensor moved = ProbeReader.embedding(new ProbeWeights.Tensor(earlier.size(), dim, rows), ids, now.size());
    assertThat(moved.rows()).isEqualTo(now.size());
    int id = ids[10];
    assertThat(moved.data()[id * dim]).isEqualTo(10 * dim);
    assertThat(moved.data()[id * dim + 1]).isEqualTo(10 * dim + 1);
  }

  @Test
  void anotherVocabularyIsNotAProbesAndTheSpecialTokensStayPut() {
    List<String> foreign = new ArrayList<>(vocabulary.pieces().subList(0, 3));
    for (int i = 0; i < 100; i++) {
      foreign.add("w" + i);
    }
    assertThat(ProbeReader.remap(foreign, vocabulary)).as("under 90% shared").isNull();
    List<String> swapped = new ArrayList<>(vocabulary.pieces());
    swapped.set(1, "</s>");
    swapped.set(2, "<s>");
    assertThat(ProbeReader.remap(swapped, vocabulary)).isNull();
    assertThat(ProbeReader.remap(vocabulary.pieces(), vocabulary)).isNotNull();
  }
}
