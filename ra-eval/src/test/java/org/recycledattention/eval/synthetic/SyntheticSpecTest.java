package org.recycledattention.eval.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.recycledattention.api.config.ConfigException;

class SyntheticSpecTest {
  @Test
  void presetsParseAndKeysOverride() {
    SyntheticSpec s = SyntheticSpec.parse("synthetic:bench-small,dtype=q8_0,seed=9");
    assertThat(s.layers()).isEqualTo(4);
    assertThat(s.dtype()).isEqualTo("q8_0");
    assertThat(s.seed()).isEqualTo(9);
    assertThat(SyntheticSpec.parse(s.text())).isEqualTo(s);
  }

  @Test
  void benchSmallIsAttentionDominatedAt16k() {
    SyntheticSpec s = SyntheticSpec.PRESETS.get("bench-small");
    long weightBytes = s.parameters() * 4;
    assertThat(s.kvBytesPerFullStep(16384, 4)).isGreaterThanOrEqualTo(4 * weightBytes);
  }

  @Test
  void llama32PresetHasTheRealGeometry() {
    SyntheticSpec s = SyntheticSpec.parse("synthetic:llama-3.2-1b");
    assertThat(s.parameters()).isBetween(1_400_000_000L, 1_600_000_000L); // untied output counted: 1.24B + 0.26B
    assertThat(s.heads() / s.kvHeads()).isEqualTo(4);
  }

  @Test
  void badSpecsNameThePart() {
    assertThatThrownBy(() -> SyntheticSpec.parse("synthetic:huge")).isInstanceOf(ConfigException.class).hasMessageContaining("unknown preset 'huge'");
    assertThatThrownBy(() -> SyntheticSpec.parse("synthetic:layers=two")).hasMessageContaining("layers='two'");
    assertThatThrownBy(() -> SyntheticSpec.parse("synthetic:layerz=2")).hasMessageContaining("unknown key(s) [layerz]");
    assertThatThrownBy(() -> SyntheticSpec.parse("synthetic:heads=6,kv-heads=4")).hasMessageContaining("multiple of kv-heads");
    assertThatThrownBy(() -> SyntheticSpec.parse("synthetic:dtype=q4_0,dim=48")).hasMessageContaining("multiples of 32");
  }
}
