namespace HermitSync.IntegrationTests.Telemetry;

/// <summary>
/// Just enough of the protobuf wire format to read OTLP: the length-delimited fields of a
/// message (sub-messages, strings, bytes), with every other field skipped.
/// </summary>
internal static class Protobuf
{
    private const int Varint = 0;
    private const int Fixed64 = 1;
    private const int LengthDelimited = 2;
    private const int Fixed32 = 5;

    public static IEnumerable<(int Field, ReadOnlyMemory<byte> Value)> Fields(ReadOnlyMemory<byte> message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var key = ReadVarint(message.Span, ref position);
            var field = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case Varint:
                    ReadVarint(message.Span, ref position);
                    break;
                case Fixed64:
                    position += 8;
                    break;
                case Fixed32:
                    position += 4;
                    break;
                case LengthDelimited:
                    var length = (int)ReadVarint(message.Span, ref position);
                    yield return (field, message.Slice(position, length));
                    position += length;
                    break;
                default:
                    throw new InvalidDataException($"Wire type {key & 7} is not one OTLP uses.");
            }
        }
    }

    public static IEnumerable<ReadOnlyMemory<byte>> All(ReadOnlyMemory<byte> message, int field) =>
        Fields(message).Where(f => f.Field == field).Select(f => f.Value);

    public static ReadOnlyMemory<byte> One(ReadOnlyMemory<byte> message, int field) =>
        All(message, field).LastOrDefault();

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
