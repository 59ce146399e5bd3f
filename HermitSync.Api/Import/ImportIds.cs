using System.Security.Cryptography;
using System.Text;

namespace HermitSync.Api.Import;

/// <summary>
/// Ids for imported notes that came without one: derived from what the file says about the
/// note, so the same file imported twice, or at another site, gives the same ids and adds nothing.
/// </summary>
public static class ImportIds
{
    /// <summary>A UUID of version 8 (RFC 9562's custom form) from the SHA-256 of <paramref name="parts"/>.</summary>
    public static Guid From(params string[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\0', parts)));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0f) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
