using System.Text.Json;
using HermitSync.Rqlite;

namespace HermitSync.Storage;

/// <summary>
/// The <c>properties</c> table: each register's winning write, and the merge that keeps it so.
/// A write wins over the stored one when its (HLC, site, value) is greater, so every site that
/// has seen the same writes holds the same winners, in any order of arrival. Only winners are
/// kept: a write that lost can never win again, and the write that beat it travels in its own
/// site's files.
/// </summary>
public static class PropertySql
{
    /// <summary>The incoming writes (<c>:changes</c>), the greatest per register.</summary>
    private const string Incoming = """
        SELECT e, k, v, h, s FROM (
            SELECT value ->> '$.e' AS e, value ->> '$.k' AS k, value ->> '$.v' AS v, value ->> '$.h' AS h, value ->> '$.s' AS s,
                   row_number() OVER (PARTITION BY value ->> '$.e', value ->> '$.k' ORDER BY value ->> '$.h' DESC, value ->> '$.s' DESC, value ->> '$.v' DESC) AS place
            FROM json_each(:changes))
        WHERE place = 1
        """;

    /// <summary>Writes that win over what is stored, to run in the transaction that carries them; reads how many won.</summary>
    public static SqlBatch<long> Merge(IReadOnlyList<PropertyChange> changes)
    {
        if (changes.Count == 0)
        {
            return new SqlBatch<long>([], _ => 0);
        }
        var json = JsonSerializer.Serialize(changes as PropertyChange[] ?? changes.ToArray(), ChangeSetJson.Sql.PropertyChangeArray);
        var parameters = new Dictionary<string, object?> { ["changes"] = json };
        return new SqlBatch<long>(
            [
                SqlStatement.Named(
                    $"""
                    DELETE FROM properties WHERE seq IN (
                        SELECT p.seq FROM ({Incoming}) i JOIN properties p ON p.entity_id = i.e AND p.name = i.k
                        WHERE (i.h, i.s, i.v) > (p.hlc, p.site_id, p.value))
                    """,
                    parameters),
                SqlStatement.Named(
                    $"""
                    INSERT INTO properties (entity_id, name, value, hlc, site_id)
                    SELECT e, k, v, h, s FROM ({Incoming}) ORDER BY h, s
                    ON CONFLICT (entity_id, name) DO NOTHING
                    """,
                    parameters),
            ],
            results => results[1].RowsAffected);
    }

    /// <summary>This site's own winning writes after local sequence <paramref name="afterSeq"/> up to <paramref name="throughSeq"/>, oldest first.</summary>
    public static SqlQuery<IReadOnlyList<LocalPropertyChange>> Since(string siteId, long afterSeq, long throughSeq, int limit) => SqlQuery.Rows(
        SqlStatement.Of(
            "SELECT seq, entity_id, name, value, hlc, site_id FROM properties WHERE site_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
            siteId, afterSeq, throughSeq, limit),
        row => new LocalPropertyChange(row.GetInt64(0), new PropertyChange(row.GetString(1), row.GetString(2), row.GetString(3), row.GetInt64(4), row.GetString(5))));

    /// <summary>Every winning write, in register order: what converged sites must hold alike.</summary>
    public static SqlQuery<IReadOnlyList<PropertyChange>> All { get; } = SqlQuery.Rows(
        SqlStatement.Of("SELECT entity_id, name, value, hlc, site_id FROM properties ORDER BY entity_id, name"),
        row => new PropertyChange(row.GetString(0), row.GetString(1), row.GetString(2), row.GetInt64(3), row.GetString(4)));
}
