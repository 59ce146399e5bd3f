using System.Text;
using System.Text.Json.Serialization;
using HermitSync.Rqlite;

namespace HermitSync.Storage;

/// <summary>
/// One write to one of a note's or a notebook's properties (its notebook, a tag, its pin, a
/// notebook's name…), as stored and as carried in change files. Each property is a register that
/// keeps the greatest write by (HLC, site, value): the last writer wins, whatever order writes
/// arrive in. An empty <see cref="Value"/> is a removal, kept so that it wins over older adds.
/// </summary>
public sealed record PropertyChange(
    [property: JsonPropertyName("e")] string EntityId,
    [property: JsonPropertyName("k")] string Name,
    [property: JsonPropertyName("v")] string Value,
    [property: JsonPropertyName("h")] long Hlc,
    [property: JsonPropertyName("s")] string SiteId);

/// <summary>One of this site's property writes with its local sequence number, the exporter's cursor.</summary>
public sealed record LocalPropertyChange(long Seq, PropertyChange Change);

/// <summary>
/// What a change file holds: revisions of notes, and writes to properties. Format version 3
/// carries both; older files carry revisions alone.
/// </summary>
public sealed record ChangeSet(
    [property: JsonPropertyName("r")] NoteRevision[] Revisions,
    [property: JsonPropertyName("p")] PropertyChange[] Properties)
{
    public static ChangeSet Of(IReadOnlyList<NoteRevision> revisions) => new(revisions as NoteRevision[] ?? revisions.ToArray(), []);

    [JsonIgnore]
    public int Count => Revisions.Length + Properties.Length;

    [JsonIgnore]
    public long FirstHlc => Count == 0 ? 0 : Math.Min(Revisions.Select(r => r.Hlc).DefaultIfEmpty(long.MaxValue).Min(), Properties.Select(p => p.Hlc).DefaultIfEmpty(long.MaxValue).Min());

    [JsonIgnore]
    public long LastHlc => Count == 0 ? 0 : Math.Max(Revisions.Select(r => r.Hlc).DefaultIfEmpty(0).Max(), Properties.Select(p => p.Hlc).DefaultIfEmpty(0).Max());

    /// <summary>
    /// This set cut, in its order, into parts of about <paramref name="maxBytes"/> of text each
    /// (one row may make a part larger): one part for an empty set. Merged one after another,
    /// the parts end where merging the whole ends, since a merge depends only on what is known.
    /// </summary>
    public IReadOnlyList<ChangeSet> Parts(long maxBytes)
    {
        var parts = new List<ChangeSet>();
        var revisions = new List<NoteRevision>();
        var properties = new List<PropertyChange>();
        long bytes = 0;
        void Cut()
        {
            parts.Add(new ChangeSet([.. revisions], [.. properties]));
            revisions.Clear();
            properties.Clear();
            bytes = 0;
        }
        void Take<T>(List<T> rows, T row, long textBytes)
        {
            if (bytes > 0 && bytes + RowBytes + textBytes > maxBytes)
            {
                Cut();
            }
            rows.Add(row);
            bytes += RowBytes + textBytes;
        }
        foreach (var revision in Revisions)
        {
            Take(revisions, revision, TextBytes(revision));
        }
        foreach (var property in Properties)
        {
            Take(properties, property, TextBytes(property));
        }
        if (bytes > 0 || parts.Count == 0)
        {
            Cut();
        }
        return parts;
    }

    /// <summary>The bytes of a revision's text: less than it takes in a file, which adds its ids and stamps.</summary>
    public static long TextBytes(NoteRevision revision) => Encoding.UTF8.GetByteCount(revision.Title) + Encoding.UTF8.GetByteCount(revision.Body);

    /// <summary>The bytes of a property write's value: less than it takes in a file.</summary>
    public static long TextBytes(PropertyChange property) => Encoding.UTF8.GetByteCount(property.Value);

    /// <summary>What a row costs beside its text: ids, stamps and their encoding.</summary>
    public const int RowBytes = 160;
}

[JsonSerializable(typeof(ChangeSet))]
[JsonSerializable(typeof(PropertyChange[]))]
[JsonSerializable(typeof(string[][]))]
public sealed partial class ChangeSetJson : JsonSerializerContext
{
    /// <summary>The same, written as a statement's parameter (<see cref="SqlJson"/>).</summary>
    public static ChangeSetJson Sql { get; } = new(SqlJson.Options());
}
