using System.Globalization;
using System.Text.Json;

namespace HermitSync.Rqlite;

/// <summary>The outcome of one statement: rows for a query, counts for a write.</summary>
public sealed class RqliteResult
{
    internal RqliteResult(IReadOnlyList<string> columns, IReadOnlyList<string> types, IReadOnlyList<RqliteRow> rows, long? lastInsertId, long rowsAffected)
    {
        Columns = columns;
        Types = types;
        Rows = rows;
        LastInsertId = lastInsertId;
        RowsAffected = rowsAffected;
    }

    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<string> Types { get; }

    public IReadOnlyList<RqliteRow> Rows { get; }

    public long? LastInsertId { get; }

    public long RowsAffected { get; }

    /// <summary>Read at level <c>none</c> from a node that knows no leader: the last data it has, perhaps not the newest.</summary>
    public bool Stale { get; private init; }

    internal RqliteResult AsStale() => new(Columns, Types, Rows, LastInsertId, RowsAffected) { Stale = true };

    public int Ordinal(string column)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i], column, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        throw new KeyNotFoundException($"Column '{column}' is not in the result.");
    }
}

/// <summary>One value of a row as rqlite sent it: a string (text, or a blob in base64), a number's text, a boolean or null.</summary>
internal readonly record struct RqliteValue(JsonTokenType Kind, string? Text)
{
    public static readonly RqliteValue Null = new(JsonTokenType.Null, null);

    public static RqliteValue String(string text) => new(JsonTokenType.String, text);

    public static RqliteValue Number(string text) => new(JsonTokenType.Number, text);

    public static RqliteValue Boolean(bool value) => new(value ? JsonTokenType.True : JsonTokenType.False, value ? "true" : "false");
}

/// <summary>One row of a query result. Integers are read as 64-bit, never narrowed.</summary>
public sealed class RqliteRow
{
    private readonly RqliteValue[] _values;
    private readonly IReadOnlyList<string> _types;

    internal RqliteRow(RqliteValue[] values, IReadOnlyList<string> types)
    {
        _values = values;
        _types = types;
    }

    public int FieldCount => _values.Length;

    public bool IsNull(int ordinal) => _values[ordinal].Kind == JsonTokenType.Null;

    public long GetInt64(int ordinal) => _values[ordinal] is { Kind: JsonTokenType.Number, Text: var text }
        ? long.Parse(text!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
        : throw new InvalidOperationException($"Column {ordinal} is not a number.");

    public long? GetInt64OrNull(int ordinal) => IsNull(ordinal) ? null : GetInt64(ordinal);

    public double GetDouble(int ordinal) => _values[ordinal] is { Kind: JsonTokenType.Number, Text: var text }
        ? double.Parse(text!, NumberStyles.Float, CultureInfo.InvariantCulture)
        : throw new InvalidOperationException($"Column {ordinal} is not a number.");

    public string GetString(int ordinal) => _values[ordinal].Text ?? throw new InvalidOperationException($"Column {ordinal} is NULL.");

    public string? GetStringOrNull(int ordinal) => IsNull(ordinal) ? null : GetString(ordinal);

    public bool GetBoolean(int ordinal) => _values[ordinal].Kind switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => GetInt64(ordinal) != 0,
    };

    /// <summary>rqlite returns blob columns as base64 text.</summary>
    public byte[] GetBytes(int ordinal) =>
        string.Equals(ordinal < _types.Count ? _types[ordinal] : null, "blob", StringComparison.OrdinalIgnoreCase) && _values[ordinal] is { Kind: JsonTokenType.String, Text: var text }
            ? Convert.FromBase64String(text!)
            : throw new InvalidOperationException($"Column {ordinal} is not a blob column.");
}
