package org.recycledattention.api.cache;


/** Storage type of cached keys and values. Attention always accumulates in f32 or wider. */
public enum KvDtype {
  F32(4), F16(2), BF16(2);

  private final int bytes;

  KvDtype(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per stored element. */
  public int bytes() {
    return bytes;
  }
}
