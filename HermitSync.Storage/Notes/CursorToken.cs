using System.Buffers.Text;
using System.Text;

namespace HermitSync.Storage;

/// <summary>A cursor's text as the opaque token a client sends back: base64url, bounded, anything else refused.</summary>
internal static class CursorToken
{
    public static string Encode(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    public static bool TryDecode(string? token, out string text)
    {
        text = "";
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return false;
        }
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
