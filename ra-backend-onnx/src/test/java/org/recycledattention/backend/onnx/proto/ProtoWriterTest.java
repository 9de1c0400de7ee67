package org.recycledattention.backend.onnx.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtoWriterTest {
  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  @Test
  void varintsFollowTheWireFormat() {
    // examples from the protobuf encoding guide: 1 -> 01, 150 -> 96 01, 300 -> ac 02
    assertThat(hex(new ProtoWriter().int64(1, 1).toByteArray())).isEqualTo("0801");
    assertThat(hex(new ProtoWriter().int64(1, 150).toByteArray())).isEqualTo("089601");
    assertThat(hex(new ProtoWriter().int64(2, 300).toByteArray())).isEqualTo("10ac02");
    // negative int64 is 10 bytes of two's complement
    assertThat(hex(new ProtoWriter().int64(1, -1).toByteArray())).isEqualTo("08ffffffffffffffffff01");
    // field 20 needs a two-byte key: (20 << 3) | 0 = 160 -> a0 01
    assertThat(hex(new ProtoWriter().int64(20, 7).toByteArray())).isEqualTo("a00107");
  }

  @Test
  void floatsAreLittleEndianFixed32() {
    // 1.0f = 0x3f800000, key (2 << 3) | 5 = 0x15
    assertThat(hex(new ProtoWriter().float32(2, 1.0f).toByteArray())).isEqualTo("150000803f");
  }

  @Test
  void stringsAndNestedMessagesAreLengthDelimited() {
    assertThat(hex(new ProtoWriter().string(2, "testing").toByteArray())).isEqualTo("120774657374696e67");
    byte[] nested = new ProtoWriter().message(3, m -> m.int64(1, 150)).toByteArray();
    assertThat(hex(nested)).isEqualTo("1a03089601");
  }

  @Test
  void largeMessagesGrowTheBuffer() {
    byte[] payload = new byte[1000];
    byte[] out = new ProtoWriter().bytes(1, payload).toByteArray();
    // key 0a, length 1000 = e8 07, then the payload
    assertThat(out).hasSize(3 + 1000);
    assertThat(hex(java.util.Arrays.copyOf(out, 3))).isEqualTo("0ae807");
  }

  @Test
  void rejectsInvalidFieldNumbers() {
    assertThatThrownBy(() -> new ProtoWriter().int64(0, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("field number");
  }

  @Test
  void onnxMessagesUseTheFieldNumbersOfOnnxProto() {
    // TensorShapeProto.Dimension: dim_value = 1, dim_param = 2
    assertThat(hex(Dim.of(5).toByteArray())).isEqualTo("0805");
    assertThat(hex(Dim.of("n").toByteArray())).isEqualTo("12016e");
    // AttributeProto INT: name = 1, type = 20 (INT = 2), i = 3
    assertThat(hex(Attribute.of("axis", 1L).toByteArray())).isEqualTo("0a0461786973" + "a00102" + "1801");
    // AttributeProto FLOAT: f = 2 (FLOAT = 1)
    assertThat(hex(Attribute.of("a", 1.0f).toByteArray())).isEqualTo("0a0161" + "a00101" + "150000803f");
    // AttributeProto INTS: ints = 8, unpacked (INTS = 7)
    assertThat(hex(Attribute.ofInts("p", 1, 2).toByteArray())).isEqualTo("0a0170" + "a00107" + "4001" + "4002");
    // TensorProto: dims = 1, data_type = 2 (INT64 = 7), name = 8, raw_data = 9
    assertThat(hex(Tensor.ofLongs("t", new long[] {1}, 3).toByteArray()))
        .isEqualTo("0801" + "1007" + "420174" + "4a080300000000000000");
    // ValueInfoProto{name = 1, type = 2{tensor_type = 1{elem_type = 1, shape = 2{dim = 1{dim_param = 2}}}}}
    assertThat(hex(ValueInfo.of("x", DataType.FLOAT, Dim.of("n")).toByteArray()))
        .isEqualTo("0a0178" + "120b" + "0a09" + "0801" + "1205" + "0a03" + "12016e");
    // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5, domain = 7
    Node node = new Node("Relu", List.of("x"), List.of("y"), "r", "d", List.of());
    assertThat(hex(node.toByteArray())).isEqualTo("0a0178" + "120179" + "1a0172" + "220452656c75" + "3a0164");
    // ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8{version = 2}
    Graph empty = new Graph("g", List.of(), List.of(), List.of(), List.of());
    assertThat(hex(new Model(8, 17, "p", empty).toByteArray())).isEqualTo("0808" + "120170" + "3a03" + "120167" + "42021011");
  }

  @Test
  void tensorsCheckTheirDataSize() {
    assertThatThrownBy(() -> new Tensor("t", DataType.FLOAT, new long[] {2}, new byte[4]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 8 bytes");
  }

  @Test
  void builderRejectsUndefinedAndDuplicateValues() {
    GraphBuilder g = new GraphBuilder("g");
    g.input("x", DataType.FLOAT, Dim.of(1));
    assertThatThrownBy(() -> g.op("Relu", List.of("nope"))).hasMessageContaining("reads 'nope' before it is defined");
    assertThatThrownBy(() -> g.input("x", DataType.FLOAT)).hasMessageContaining("already defined");
    assertThatThrownBy(() -> g.output("y", DataType.FLOAT)).hasMessageContaining("no value 'y'");
  }
}
