namespace HermitSync.IntegrationTests.Telemetry;

/// <summary>
/// Just enough of the protobuf wire format to read OTLP: each field of a message, with its
/// bytes when it is length-delimited (sub-messages, strings, bytes) and its number otherwise
/// (varints, and the raw bits of fixed64 and fixed32 fields).
/// </summary>
internal static class Protobuf
{
    private const int Varint = 0;
    private const int Fixed64 = 1;
    private const int LengthDelimited = 2;
    private const int Fixed32 = 5;

    public readonly record struct Field(int Number, ReadOnlyMemory<byte> Bytes, ulong Scalar, bool IsScalar);

    public static IEnumerable<Field> Fields(ReadOnlyMemory<byte> message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var key = ReadVarint(message.Span, ref position);
            var number = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case Varint:
                    yield return new Field(number, default, ReadVarint(message.Span, ref position), IsScalar: true);
                    break;
                case Fixed64:
                    yield return new Field(number, default, BitConverter.ToUInt64(message.Span.Slice(position, 8)), IsScalar: true);
                    position += 8;
                    break;
                case Fixed32:
                    yield return new Field(number, default, BitConverter.ToUInt32(message.Span.Slice(position, 4)), IsScalar: true);
                    position += 4;
                    break;
                case LengthDelimited:
                    var length = (int)ReadVarint(message.Span, ref position);
                    yield return new Field(number, message.Slice(position, length), 0, IsScalar: false);
                    position += length;
                    break;
                default:
                    throw new InvalidDataException($"Wire type {key & 7} is not one OTLP uses.");
            }
        }
    }

    public static IEnumerable<ReadOnlyMemory<byte>> All(ReadOnlyMemory<byte> message, int field) =>
        Fields(message).Where(f => f.Number == field && !f.IsScalar).Select(f => f.Bytes);

    public static ReadOnlyMemory<byte> One(ReadOnlyMemory<byte> message, int field) =>
        All(message, field).LastOrDefault();

    /// <summary>A varint, fixed64 or fixed32 field, or null when the message does not hold it.</summary>
    public static ulong? Scalar(ReadOnlyMemory<byte> message, int field) =>
        Fields(message).Where(f => f.Number == field && f.IsScalar).Select(f => (ulong?)f.Scalar).LastOrDefault();

    public static string Text(ReadOnlyMemory<byte> message, int field) =>
        System.Text.Encoding.UTF8.GetString(One(message, field).Span);

    public static string Hex(ReadOnlyMemory<byte> message, int field) =>
        Convert.ToHexStringLower(One(message, field).Span);

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        throw new InvalidDataException("A varint longer than 10 bytes.");
    }
}
