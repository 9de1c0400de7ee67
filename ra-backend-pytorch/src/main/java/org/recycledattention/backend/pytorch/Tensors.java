package org.recycledattention.backend.pytorch;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.recycledattention.api.cache.KvDtype;

/** Small stateless helpers over DJL's PyTorch JNI: creation, host transfers, dtype mapping. */
final class Tensors {
  private static final long[] ONES_3 = {1, 1, 1};

  private Tensors() {}

  /** The libtorch type that stores {@code dtype}. */
  static DataType storageType(KvDtype dtype) {
    return switch (dtype) {
      case F32 -> DataType.FLOAT32;
      case F16 -> DataType.FLOAT16;
      // DJL 0.36's JNI maps only its first nine DataType ordinals to torch types; BFLOAT16 (ordinal 11)
      // reaches a bare `throw;` in native code and std::terminate() kills the JVM. Never pass it down.
      case BF16 -> throw new IllegalArgumentException("bfloat16 tensors are not supported by DJL's PyTorch JNI");
    };
  }

  /** An uninitialised tensor on the manager's device. */
  static PtNDArray empty(PtNDManager manager, DataType type, long... shape) {
    return JniUtils.createEmptyNdArray(manager, new Shape(shape), type, manager.getDevice(), SparseFormat.DENSE);
  }

  /** A direct, native-order buffer of at least {@code bytes}. */
  static ByteBuffer direct(int bytes) {
    return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
  }

  /**
   * Gives {@code tensor} the contents of {@code source[0 .. tensor bytes)} (host, direct). <b>NOTE:</b>
   * on the CPU, DJL re-points the tensor at the buffer's memory instead of copying: the buffer must
   * stay reachable and unchanged for as long as the tensor's contents matter, and views taken of
   * the tensor before the call keep the old storage. On CUDA it copies.
   */
  static void upload(PtNDArray tensor, ByteBuffer source) {
    JniUtils.set(tensor, source);
  }

  /** {@code target[min .. max) = value} (per dimension, step 1), with dtype conversion and broadcasting. */
  static void assign(PtNDArray target, PtNDArray value, long[] min, long[] max) {
    JniUtils.indexSet(target, value, min, max, ONES_3);
  }

  /** A view {@code source[min .. max)} (step 1 per dimension), attached to {@code manager}. */
  static PtNDArray view(PtNDManager manager, PtNDArray source, long[] min, long[] max) {
    return JniUtils.index(source, min, max, ONES_3, manager);
  }

  /**
   * The bytes of {@code tensor} on the host, in native order: a zero-copy view when the tensor is a
   * contiguous CPU tensor and {@code direct} is set (valid while the tensor lives), else a copy.
   * Device tensors are first copied to the host (the copy is released with {@code scratch}).
   */
  static ByteBuffer host(PtNDArray tensor, boolean direct, Scratch scratch) {
    PtNDArray onHost = tensor;
    if (tensor.getDevice().isGpu()) {
      // JniUtils.to puts the copy in a fresh sub-manager of the cache's; free both with the step
      onHost = JniUtils.to(tensor, tensor.getDataType(), Device.cpu());
      scratch.add(onHost.getManager());
      direct = false;
    }
    return onHost.toByteBuffer(direct).order(ByteOrder.nativeOrder());
  }

  /** Reads {@code count} floats of a float32 tensor (host order) into {@code dst[offset ..)}. */
  static void readFloats(PtNDArray tensor, float[] dst, int offset, int count, Scratch scratch) {
    host(tensor, false, scratch).asFloatBuffer().get(dst, offset, count);
  }

  /** Reads {@code count} values of an int64 tensor. */
  static long[] readLongs(PtNDArray tensor, int count, Scratch scratch) {
    long[] out = new long[count];
    host(tensor, false, scratch).asLongBuffer().get(out, 0, count);
    return out;
  }

  /** An int64 tensor of {@code values} with {@code shape} on the manager's device (DJL keeps the data alive). */
  static PtNDArray longs(PtNDManager manager, long[] values, long... shape) {
    return (PtNDArray) manager.create(values, new Shape(shape));
  }
}
