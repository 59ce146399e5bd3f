using System.Text.Json;

namespace HermitSync.Rqlite;

public enum SqlValueKind { Null, Integer, Real, Text, Blob }

/// <summary>
/// A parameter value in one of SQLite's storage classes. Conversion happens once, when the
/// statement is built, so an unsupported CLR type fails at the call site, not inside rqlite.
/// </summary>
public readonly struct SqlValue
{
    private readonly long _integer;
    private readonly double _real;
    private readonly string? _text;
    private readonly byte[]? _blob;

    private SqlValue(SqlValueKind kind, long integer = 0, double real = 0, string? text = null, byte[]? blob = null)
    {
        Kind = kind;
        _integer = integer;
        _real = real;
        _text = text;
        _blob = blob;
    }

    public SqlValueKind Kind { get; }

    public static SqlValue Null => new(SqlValueKind.Null);

    public static SqlValue From(object? value) => value switch
    {
        null => Null,
        SqlValue v => v,
        long l => new(SqlValueKind.Integer, integer: l),
        int i => new(SqlValueKind.Integer, integer: i),
        short s => new(SqlValueKind.Integer, integer: s),
        byte b => new(SqlValueKind.Integer, integer: b),
        uint u => new(SqlValueKind.Integer, integer: u),
        bool b => new(SqlValueKind.Integer, integer: b ? 1 : 0),
        double d when double.IsFinite(d) => new(SqlValueKind.Real, real: d),
        float f when float.IsFinite(f) => new(SqlValueKind.Real, real: f),
        string t => new(SqlValueKind.Text, text: t),
        Guid g => new(SqlValueKind.Text, text: g.ToString()),
        byte[] bytes => new(SqlValueKind.Blob, blob: bytes),
        ReadOnlyMemory<byte> memory => new(SqlValueKind.Blob, blob: memory.ToArray()),
        double or float => throw new ArgumentException("SQLite cannot store NaN or infinity.", nameof(value)),
        _ => throw new ArgumentException($"Type {value.GetType().Name} has no SQLite storage class; convert it first.", nameof(value)),
    };

    /// <summary>The value as a plain CLR object, for hosts other than rqlite (such as tests on SQLite).</summary>
    internal object? ToObject() => Kind switch
    {
        SqlValueKind.Integer => _integer,
        SqlValueKind.Real => _real,
        SqlValueKind.Text => _text,
        SqlValueKind.Blob => _blob,
        _ => null,
    };

    /// <summary>
    /// Writes the value as rqlite expects it. rqlite's JSON API has no blob parameter type, so
    /// a blob travels as hexadecimal text: write the placeholder as <c>unhex(?)</c> in the SQL.
    /// </summary>
    internal void WriteTo(Utf8JsonWriter writer)
    {
        switch (Kind)
        {
            case SqlValueKind.Null: writer.WriteNullValue(); break;
            case SqlValueKind.Integer: writer.WriteNumberValue(_integer); break;
            case SqlValueKind.Real: WriteReal(writer, _real); break;
            case SqlValueKind.Text: writer.WriteStringValue(_text); break;
            case SqlValueKind.Blob: writer.WriteStringValue(Convert.ToHexString(_blob!)); break;
        }
    }

    // rqlite reads a JSON number without a fraction as an integer, so 1.0 must keep its ".0".
    private static void WriteReal(Utf8JsonWriter writer, double value)
    {
        var text = value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        writer.WriteRawValue(text.AsSpan().IndexOfAny('.', 'E') >= 0 ? text : text + ".0", skipInputValidation: true);
    }
}
