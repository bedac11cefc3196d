package emp.testsupport.mesos;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import java.math.BigDecimal;
import java.util.Base64;

/**
 * Protobuf messages as the master writes them in JSON (stout's {@code jsonify(JSON::Protobuf(message))}): proto field
 * names in declaration order; set fields, non-empty repeated fields, and unset optional fields that declare a default
 * and are not deprecated; enums by name, bytes in base64, and every integer, 64-bit ones included, as a JSON number.
 * protobuf-java-util's {@code JsonFormat} differs on the last point: it writes 64-bit integers as strings.
 */
final class MasterJson {
    private MasterJson() {}

    static String print(MessageOrBuilder message) {
        StringBuilder out = new StringBuilder();
        writeMessage(out, message);
        return out.toString();
    }

    private static void writeMessage(StringBuilder out, MessageOrBuilder message) {
        out.append('{');
        boolean first = true;
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            boolean written = field.isRepeated()
                    ? message.getRepeatedFieldCount(field) > 0
                    : message.hasField(field)
                            || (field.hasDefaultValue() && !field.getOptions().getDeprecated());
            if (!written) {
                continue;
            }
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append(jsonString(field.getName())).append(':');
            if (field.isRepeated()) {
                out.append('[');
                for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    writeValue(out, field, message.getRepeatedField(field, i));
                }
                out.append(']');
            } else {
                writeValue(out, field, message.getField(field));
            }
        }
        out.append('}');
    }

    private static void writeValue(StringBuilder out, FieldDescriptor field, Object value) {
        switch (field.getJavaType()) {
            case MESSAGE -> writeMessage(out, (MessageOrBuilder) value);
            case ENUM -> out.append(jsonString(((EnumValueDescriptor) value).getName()));
            case BYTE_STRING ->
                out.append(jsonString(Base64.getEncoder().encodeToString(((ByteString) value).toByteArray())));
            case STRING -> out.append(jsonString((String) value));
            case BOOLEAN -> out.append((boolean) value);
            case INT ->
                out.append(
                        field.getType() == FieldDescriptor.Type.UINT32
                                        || field.getType() == FieldDescriptor.Type.FIXED32
                                ? Integer.toUnsignedString((int) value)
                                : Integer.toString((int) value));
            case LONG ->
                out.append(
                        field.getType() == FieldDescriptor.Type.UINT64
                                        || field.getType() == FieldDescriptor.Type.FIXED64
                                ? Long.toUnsignedString((long) value)
                                : Long.toString((long) value));
            case FLOAT -> writeNumber(out, (float) value);
            case DOUBLE -> writeNumber(out, (double) value);
        }
    }

    private static void writeNumber(StringBuilder out, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            out.append("null");
        } else {
            out.append(BigDecimal.valueOf(value).toPlainString());
        }
    }

    /** {@code value} as a JSON string, quoted and escaped. */
    static String jsonString(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
