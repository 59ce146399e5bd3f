using System.Text.Json;
using System.Text.Json.Serialization;
using HermitSync.Api.Cluster;
using HermitSync.Api.Notes;
using HermitSync.Api.Organization;
using HermitSync.Api.Sync;
using HermitSync.Storage;

namespace HermitSync.Api;

/// <summary>
/// The API's request and response bodies, their JSON code generated at build time: no
/// reflection, at start or per request. ASP.NET's own web defaults (camelCase, numbers read
/// from strings) apply as before; a type not listed here still falls back to reflection.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CreateNoteRequest))]
[JsonSerializable(typeof(UpdateNoteRequest))]
[JsonSerializable(typeof(Note))]
[JsonSerializable(typeof(NotePage))]
[JsonSerializable(typeof(RestoreNoteRequest))]
[JsonSerializable(typeof(IReadOnlyList<NoteVersion>))]
[JsonSerializable(typeof(NoteHistoryPage))]
[JsonSerializable(typeof(OpenedRevision))]
[JsonSerializable(typeof(TrashPage))]
[JsonSerializable(typeof(ImportStatus))]
[JsonSerializable(typeof(ClusterStatus))]
[JsonSerializable(typeof(SyncStatus))]
[JsonSerializable(typeof(PairRequest))]
[JsonSerializable(typeof(IgnoreRequest))]
[JsonSerializable(typeof(PassphraseRequest))]
[JsonSerializable(typeof(LabelsRequest))]
[JsonSerializable(typeof(NoteLabels))]
[JsonSerializable(typeof(NotebookRequest))]
[JsonSerializable(typeof(NotebookCreated))]
[JsonSerializable(typeof(IReadOnlyList<NotebookEntry>))]
[JsonSerializable(typeof(IReadOnlyList<TagCount>))]
[JsonSerializable(typeof(IReadOnlyList<NoteSummary>))]
[JsonSerializable(typeof(Attachment))]
[JsonSerializable(typeof(AttachmentLookup))]
internal sealed partial class ApiJson : JsonSerializerContext;
