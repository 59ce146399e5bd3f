using System.Text.Encodings.Web;
using System.Text.Json;

namespace HermitSync.Rqlite;

/// <summary>
/// JSON that travels to rqlite: its request body, and the JSON a statement takes as a parameter
/// (read there with <c>json_each</c>). Text goes as it is, not <c>\u</c>-escaped: the body is no
/// HTML page, and the default escaping wrote each letter outside Latin as six bytes, seven once
/// the parameter was quoted into the body, where UTF-8 takes two or three.
/// </summary>
public static class SqlJson
{
    public static JavaScriptEncoder Encoder => JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>New options each call: a source-generated context binds the options it is made with.</summary>
    public static JsonSerializerOptions Options() => new() { Encoder = Encoder };
}
