using System.Diagnostics.CodeAnalysis;

namespace HermitSync.Exporter.Syncthing;

/// <summary>
/// A Syncthing device ID, checked the way Syncthing checks one before it reaches a REST path:
/// the SHA-256 of the device's certificate in base32, in four groups of 13 characters, each
/// followed by its check character, written in groups of seven with dashes. Like Syncthing, it
/// reads lower case, spaces, and the digits 0, 1 and 8 typed for O, I and B.
/// </summary>
public readonly record struct SyncthingDeviceId
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const int Groups = 4;
    private const int GroupLength = 13;
    private const int Length = Groups * (GroupLength + 1);
    private const int ChunkLength = 7;

    private readonly string _canonical;

    private SyncthingDeviceId(string canonical) => _canonical = canonical;

    /// <summary>In Syncthing's own form, e.g. <c>MFZWI3D-BONSGYC-…-LTMRWAD</c>.</summary>
    public override string ToString() => _canonical ?? "";

    public static bool TryParse([NotNullWhen(true)] string? text, out SyncthingDeviceId deviceId)
    {
        deviceId = default;
        if (text is null || text.Length > 2 * Length)
        {
            return false;
        }
        var characters = text.ToUpperInvariant()
            .Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal)
            .Replace('0', 'O').Replace('1', 'I').Replace('8', 'B');
        if (characters.Length != Length || !characters.All(c => Alphabet.Contains(c)))
        {
            return false;
        }
        for (var group = 0; group < Groups; group++)
        {
            var start = group * (GroupLength + 1);
            if (characters[start + GroupLength] != CheckCharacter(characters.AsSpan(start, GroupLength)))
            {
                return false;
            }
        }
        // All zeros is no device: it is what Syncthing means by "none".
        if (characters.All(c => c == 'A'))
        {
            return false;
        }
        deviceId = new SyncthingDeviceId(string.Join('-', characters.Chunk(ChunkLength).Select(chunk => new string(chunk))));
        return true;
    }

    /// <summary>The device ID of the certificate whose SHA-256 is <paramref name="certificateHash"/>, as Syncthing makes it.</summary>
    public static SyncthingDeviceId FromCertificateHash(ReadOnlySpan<byte> certificateHash)
    {
        if (certificateHash.Length != 32)
        {
            throw new ArgumentException("A device ID is made from a SHA-256 hash.", nameof(certificateHash));
        }
        var base32 = new char[Groups * GroupLength];
        for (var i = 0; i < base32.Length; i++)
        {
            var bit = i * 5;
            var pair = (certificateHash[bit / 8] << 8) | (bit / 8 + 1 < certificateHash.Length ? certificateHash[bit / 8 + 1] : 0);
            base32[i] = Alphabet[(pair >> (11 - bit % 8)) & 31];
        }
        var withChecks = string.Concat(Enumerable.Range(0, Groups).Select(group =>
        {
            var characters = base32.AsSpan(group * GroupLength, GroupLength);
            return new string(characters) + CheckCharacter(characters);
        }));
        return Parse(withChecks);
    }

    public static SyncthingDeviceId Parse(string text) =>
        TryParse(text, out var deviceId) ? deviceId : throw new FormatException("That is not a Syncthing device ID.");

    /// <summary>
    /// Syncthing's check character: a Luhn mod 32 over the group, with the factor starting at 1
    /// for the first character (Syncthing's own variant, which differs from the textbook one).
    /// </summary>
    private static char CheckCharacter(ReadOnlySpan<char> group)
    {
        var factor = 1;
        var sum = 0;
        foreach (var character in group)
        {
            var addend = factor * Alphabet.IndexOf(character);
            factor = factor == 2 ? 1 : 2;
            sum += (addend / Alphabet.Length) + (addend % Alphabet.Length);
        }
        return Alphabet[(Alphabet.Length - (sum % Alphabet.Length)) % Alphabet.Length];
    }
}
