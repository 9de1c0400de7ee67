package org.recycledattention.backend.onnx.proto;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test helper: loads model bytes into ONNX Runtime and runs them on host arrays. */
final class OrtGraphRunner implements AutoCloseable {
  /** One tensor value: float or long data, and its shape. */
  record Value(float[] floats, long[] longs, long[] shape) {
    static Value of(float[] data, long... shape) {
      return new Value(data, null, shape);
    }

    static Value of(long[] data, long... shape) {
      return new Value(null, data, shape);
    }
  }

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession.SessionOptions options = new OrtSession.SessionOptions();
  private final OrtSession session;

  OrtGraphRunner(byte[] model) throws OrtException {
    options.setIntraOpNumThreads(1);
    session = env.createSession(model, options);
  }

  static OrtGraphRunner of(GraphBuilder g) throws OrtException {
    return new OrtGraphRunner(g.toModelBytes());
  }

  /** Runs once; outputs in declaration order. */
  List<Value> run(Map<String, Value> inputs) throws OrtException {
    Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
    try {
      for (var e : inputs.entrySet()) {
        Value v = e.getValue();
        tensors.put(e.getKey(), v.floats() != null
            ? OnnxTensor.createTensor(env, FloatBuffer.wrap(v.floats()), v.shape())
            : OnnxTensor.createTensor(env, LongBuffer.wrap(v.longs()), v.shape()));
      }
      try (OrtSession.Result r = session.run(tensors)) {
        List<Value> out = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
          OnnxTensor t = (OnnxTensor) r.get(i);
          long[] shape = t.getInfo().getShape();
          switch (t.getInfo().type) {
            case FLOAT -> {
              FloatBuffer b = t.getFloatBuffer();
              float[] a = new float[b.remaining()];
              b.get(a);
              out.add(Value.of(a, shape));
            }
            case INT64 -> {
              LongBuffer b = t.getLongBuffer();
              long[] a = new long[b.remaining()];
              b.get(a);
              out.add(Value.of(a, shape));
            }
            case BOOL -> {
              var b = t.getByteBuffer();
              long[] a = new long[b.remaining()];
              for (int j = 0; j < a.length; j++) {
                a[j] = b.get(j);
              }
              out.add(Value.of(a, shape));
            }
            default -> throw new IllegalStateException("unexpected output type " + t.getInfo().type);
          }
        }
        return out;
      }
    } finally {
      tensors.values().forEach(OnnxTensor::close);
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
    options.close();
  }
}
