/**
 * A hand-written writer of the ONNX model format (protocol buffers, {@code onnx.proto}): only the
 * messages and fields this backend needs, so that attention graphs are built in Java at run time
 * and handed to ONNX Runtime as bytes. No model files, no Python export step, no protobuf runtime.
 *
 * <p>Covered messages and their field numbers: {@code ModelProto} (ir_version 1, producer_name 2,
 * graph 7, opset_import 8), {@code OperatorSetIdProto} (domain 1, version 2), {@code GraphProto}
 * (node 1, name 2, initializer 5, input 11, output 12), {@code NodeProto} (input 1, output 2, name
 * 3, op_type 4, attribute 5, domain 7), {@code AttributeProto} (name 1, f 2, i 3, t 5, ints 8, type
 * 20), {@code ValueInfoProto} (name 1, type 2), {@code TypeProto} (tensor_type 1), {@code
 * TypeProto.Tensor} (elem_type 1, shape 2), {@code TensorShapeProto} (dim 1), {@code Dimension}
 * (dim_value 1, dim_param 2) and {@code TensorProto} (dims 1, data_type 2, name 8, raw_data 9).
 *
 * <p>Depends on the JDK only. Values are immutable records; {@link
 * org.recycledattention.backend.onnx.proto.GraphBuilder} is the mutable front end.
 */
package org.recycledattention.backend.onnx.proto;
