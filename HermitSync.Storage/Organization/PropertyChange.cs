using System.Text.Json.Serialization;

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
}

[JsonSerializable(typeof(ChangeSet))]
[JsonSerializable(typeof(PropertyChange[]))]
[JsonSerializable(typeof(string[][]))]
public sealed partial class ChangeSetJson : JsonSerializerContext;
