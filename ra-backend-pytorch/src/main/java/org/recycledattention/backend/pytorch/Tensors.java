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
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import org.recycledattention.api.cache.KvDtype;

/**
 * Small stateless helpers over DJL's PyTorch JNI: creation, host transfers, dtype mapping.
 *
 * <h2>Host to device without Java-owned native memory</h2>
 * DJL's {@code manager.create(float[])} and {@code set(Buffer)} stage data in direct {@code
 * ByteBuffer}s, whose memory only returns when the garbage collector gets to them; a cache that
 * allocates many megabytes that way grows the process until the next GC. Here, data goes up by
 * writing into a CPU tensor that libtorch allocated, through a {@code ByteBuffer} view of its memory
 * ({@link #floats}), and on CUDA by copying that tensor to the device. Closing the tensor frees the
 * memory at once.
 */
final class Tensors {
  private static final long[] ONES_3 = {1, 1, 1};

  private Tensors() {}

  /** The libtorch type that stores {@code dtype}. */
  static DataType storageType(KvDtype dtype) {
    return switch (dtype) {
      case F32 -> DataType.FLOAT32;
      case F16 -> DataType.FLOAT16;
      // DJL's JNI maps only its first nine DataType ordinals to torch types; BFLOAT16 (ordinal 11)
      // reaches a bare `throw;` in native code and std::terminate() kills the JVM. Never pass it down.
      case BF16 -> throw new IllegalArgumentException("bfloat16 tensors are not supported by DJL's PyTorch JNI");
    };
  }

  /** An uninitialised contiguous tensor on the manager's device. */
  static PtNDArray empty(PtNDManager manager, DataType type, long... shape) {
    return JniUtils.createEmptyNdArray(manager, new Shape(shape), type, manager.getDevice(), SparseFormat.DENSE);
  }

  /**
   * A float view of the memory of a contiguous float32 CPU tensor: writes go straight into the
   * tensor. Valid while the tensor lives.
   */
  static FloatBuffer floats(PtNDArray cpuTensor) {
    return cpuTensor.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  /** A long view of a contiguous int64 CPU tensor. */
  static LongBuffer longs(PtNDArray cpuTensor) {
    return cpuTensor.toByteBuffer(true).order(ByteOrder.nativeOrder()).asLongBuffer();
  }

  /**
   * {@code hostTensor} on {@code device}: itself on the CPU, else a device copy registered in {@code
   * scratch} (with the sub-manager DJL creates for it).
   */
  static PtNDArray toDevice(PtNDArray hostTensor, Device device, Scratch scratch) {
    if (!device.isGpu()) {
      return hostTensor;
    }
    PtNDArray copy = JniUtils.to(hostTensor, hostTensor.getDataType(), device);
    scratch.add(copy.getManager());
    return copy;
  }

  /** An int64 tensor of {@code values} on {@code device}, registered in {@code scratch}. */
  static PtNDArray longTensor(PtNDManager host, Device device, long[] values, Scratch scratch, long... shape) {
    PtNDArray t = scratch.add(empty(host, DataType.INT64, shape));
    longs(t).put(0, values);
    return toDevice(t, device, scratch);
  }

  /** {@code target[min .. max) = value} (per dimension, step 1), converting dtype and device. */
  static void assign(PtNDArray target, PtNDArray value, long[] min, long[] max) {
    JniUtils.indexSet(target, value, min, max, ONES_3);
  }

  /** A view {@code source[min .. max)} (step 1 per dimension), attached to {@code manager}. */
  static PtNDArray view(PtNDManager manager, PtNDArray source, long[] min, long[] max) {
    return JniUtils.index(source, min, max, ONES_3, manager);
  }

  /**
   * The bytes of {@code tensor} on the host, in native order: a zero-copy view when the tensor is a
   * contiguous CPU tensor and {@code direct} is set (valid while the tensor lives), else a heap
   * copy. Device tensors are first copied to the host (the copy is released with {@code scratch}).
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
}
