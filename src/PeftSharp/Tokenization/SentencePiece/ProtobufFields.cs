using System.Buffers.Binary;

namespace PeftSharp.Tokenization.SentencePiece;

/// <summary>
/// The fields of one protobuf message, in file order: enough of the wire format to read a SentencePiece
/// <c>.model</c> (varints, fixed32 floats, length-delimited strings and sub-messages). Unknown fields are skipped.
/// </summary>
internal static class ProtobufFields
{
    /// <summary>One field: its number, the varint or fixed32 value (wire types 0, 5) or the bytes (wire type 2).</summary>
    public readonly record struct Field(int Number, int WireType, ulong Value, ReadOnlyMemory<byte> Bytes)
    {
        public float AsFloat => BitConverter.Int32BitsToSingle((int)(uint)Value);
        public bool AsBool => Value != 0;
        public int AsInt32 => (int)(long)Value;
        public string AsString => System.Text.Encoding.UTF8.GetString(Bytes.Span);
    }

    /// <exception cref="FormatException">The bytes are not a well-formed protobuf message.</exception>
    public static List<Field> Read(ReadOnlyMemory<byte> message)
    {
        var fields = new List<Field>();
        var data = message.Span;
        int position = 0;
        while (position < data.Length)
        {
            ulong key = ReadVarint(data, ref position);
            int number = (int)(key >> 3), wireType = (int)(key & 7);
            switch (wireType)
            {
                case 0:
                    fields.Add(new Field(number, wireType, ReadVarint(data, ref position), default));
                    break;
                case 1:
                    Need(data, position, 8);
                    position += 8;
                    break;
                case 5:
                    Need(data, position, 4);
                    fields.Add(new Field(number, wireType, BinaryPrimitives.ReadUInt32LittleEndian(data[position..]), default));
                    position += 4;
                    break;
                case 2:
                    ulong length = ReadVarint(data, ref position);
                    if (length > (ulong)(data.Length - position))
                        throw new FormatException($"field {number} claims {length} bytes, {data.Length - position} remain");
                    fields.Add(new Field(number, wireType, 0, message.Slice(position, (int)length)));
                    position += (int)length;
                    break;
                default:
                    throw new FormatException($"unknown protobuf wire type {wireType} at byte {position}");
            }
        }
        return fields;
    }

    private static void Need(ReadOnlySpan<byte> data, int position, int count)
    {
        if (count > data.Length - position) throw new FormatException("truncated fixed-size field");
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length) throw new FormatException("truncated varint");
            byte b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new FormatException("varint longer than 10 bytes");
    }
}
