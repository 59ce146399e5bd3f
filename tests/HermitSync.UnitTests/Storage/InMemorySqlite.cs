using System.Globalization;
using HermitSync.Rqlite;
using HermitSync.Storage;
using Microsoft.Data.Sqlite;

namespace HermitSync.UnitTests.Storage;

/// <summary>
/// SQLite, the engine inside rqlite, in memory and with the whole schema: the storage module's
/// statements run here and their results reach the same typed readers, shaped as rqlite
/// answers them.
/// </summary>
internal sealed class InMemorySqlite : IDisposable
{
    private readonly SqliteConnection _db = new("Data Source=:memory:");
    private int _schemaVersion;

    /// <summary>With the schema through migration <paramref name="schemaVersion"/>: all of it unless a test of a migration asks for less.</summary>
    public InMemorySqlite(int schemaVersion = int.MaxValue)
    {
        _db.Open();
        Migrate(schemaVersion);
    }

    /// <summary>Applies the migrations after the ones applied, through <paramref name="schemaVersion"/>.</summary>
    public void Migrate(int schemaVersion = int.MaxValue)
    {
        foreach (var migration in Migrations.All.Where(m => m.Version > _schemaVersion && m.Version <= schemaVersion))
        {
            foreach (var sql in migration.Statements)
            {
                Run(SqlStatement.Of(sql));
            }
            _schemaVersion = migration.Version;
        }
    }

    public T Query<T>(SqlQuery<T> query) => query.Read(Run(query.Statement));

    /// <summary>Runs a batch in one transaction, as rqlite's <c>?transaction</c> does.</summary>
    public T Execute<T>(SqlBatch<T> batch)
    {
        using var transaction = _db.BeginTransaction();
        var results = batch.Statements.Select(Run).ToArray();
        transaction.Commit();
        return batch.Read(results);
    }

    public void Execute(SqlStatement statement) => Run(statement);

    private RqliteResult Run(SqlStatement statement)
    {
        using var command = _db.CreateCommand();
        foreach (var (name, value) in statement.NamedParameters ?? new Dictionary<string, SqlValue>())
        {
            command.Parameters.AddWithValue($":{name}", value.ToObject() ?? DBNull.Value);
        }
        for (var i = 0; i < statement.Parameters.Count; i++)
        {
            command.Parameters.AddWithValue($"${i + 1}", statement.Parameters[i].ToObject() ?? DBNull.Value);
        }
        command.CommandText = NumberPositional(statement.Sql);
        using var reader = command.ExecuteReader();
        if (reader.FieldCount == 0)
        {
            return new RqliteResult([], [], [], null, reader.RecordsAffected);
        }
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        var rows = new List<RqliteRow>();
        var types = new string[reader.FieldCount];
        while (reader.Read())
        {
            var values = new RqliteValue[reader.FieldCount];
            for (var i = 0; i < reader.FieldCount; i++)
            {
                types[i] = reader.GetDataTypeName(i).ToLowerInvariant();
                values[i] = AsRqliteSends(reader.IsDBNull(i) ? null : reader.GetValue(i));
            }
            rows.Add(new RqliteRow(values, types));
        }
        return new RqliteResult(columns, types, rows, null, reader.RecordsAffected);
    }

    private static RqliteValue AsRqliteSends(object? value) => value switch
    {
        null => RqliteValue.Null,
        string text => RqliteValue.String(text),
        byte[] blob => RqliteValue.String(Convert.ToBase64String(blob)),
        long or double => RqliteValue.Number(Convert.ToString(value, CultureInfo.InvariantCulture)!),
        _ => throw new NotSupportedException($"SQLite gave a {value.GetType()}."),
    };

    /// <summary>rqlite binds <c>?</c> in order; Microsoft.Data.Sqlite wants each named, so they become <c>$1</c>, <c>$2</c>, ….</summary>
    private static string NumberPositional(string sql)
    {
        var numbered = new System.Text.StringBuilder(sql.Length);
        var next = 1;
        var inString = false;
        foreach (var c in sql)
        {
            inString ^= c == '\'';
            numbered.Append(c == '?' && !inString ? $"${next++}" : c);
        }
        return numbered.ToString();
    }

    public void Dispose() => _db.Dispose();
}
