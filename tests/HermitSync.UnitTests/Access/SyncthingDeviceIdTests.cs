using HermitSync.Exporter.Syncthing;

namespace HermitSync.UnitTests.Access;

/// <summary>Device IDs are checked as Syncthing checks them before one may reach a REST path.</summary>
public sealed class SyncthingDeviceIdTests
{
    /// <summary>The example in Syncthing's own REST documentation.</summary>
    private const string Example = "MFZWI3D-BONSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-BONSGYY-LTMRWAD";

    [Theory]
    [InlineData(Example)]
    [InlineData("mfzwi3d-bonsgyc-yltmrwg-c43enr5-qxgzdmm-fzwi3dp-bonsgyy-ltmrwad")]
    [InlineData("MFZWI3DBONSGYCYLTMRWGC43ENR5QXGZDMMFZWI3DPBONSGYYLTMRWAD")]
    [InlineData(" MFZWI3D BONSGYC YLTMRWG C43ENR5 QXGZDMM FZWI3DP BONSGYY LTMRWAD ")]
    [InlineData("MFZWI3D-B0NSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-B0NSGYY-LTMRWAD")]
    public void Syncthings_forms_of_an_id_read_as_its_canonical_form(string text)
    {
        Assert.True(SyncthingDeviceId.TryParse(text, out var deviceId));
        Assert.Equal(Example, deviceId.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-device-id")]
    [InlineData("MFZWI3D-BONSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-BONSGYY-LTMRWAE")]
    [InlineData("MFZWI3D-BONSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-BONSGYY-LTMRWA")]
    [InlineData("MFZWI3D-BONSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-BONSGYY-LTMRWADA")]
    [InlineData("AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA")]
    [InlineData("MFZWI3D-BONSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-BONSGYY-LTMRWA/")]
    [InlineData("../../rest/system/shutdown")]
    [InlineData("MFZWI3D%2FBONSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-BONSGYY-LTMRWAD")]
    [InlineData("MFZWI3D-BONSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-BONSGYY-LTMRWAD?x=1")]
    [InlineData(null)]
    public void Anything_else_is_refused(string? text)
    {
        Assert.False(SyncthingDeviceId.TryParse(text, out _));
        Assert.Throws<FormatException>(() => SyncthingDeviceId.Parse(text!));
    }

    [Fact]
    public void A_device_id_is_made_from_a_certificate_hash_as_Syncthing_makes_it()
    {
        // Syncthing's own golden vector: these 32 bytes are P56IOI7-….
        byte[] hash =
        [
            0x7F, 0x7C, 0x87, 0x23, 0xEC, 0xCA, 0x5B, 0x4D, 0x22, 0x06, 0x1C, 0x49, 0x81, 0xB3, 0x4C, 0x34,
            0xD8, 0x65, 0xEC, 0x37, 0x6B, 0xE1, 0xEB, 0x74, 0x33, 0x08, 0x73, 0xC9, 0xA6, 0xF9, 0xB2, 0x05,
        ];

        Assert.Equal("P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWICQ2", SyncthingDeviceId.FromCertificateHash(hash).ToString());
    }

    [Fact]
    public void Each_of_the_four_check_characters_is_checked()
    {
        var canonical = Example.Replace("-", "", StringComparison.Ordinal);
        for (var group = 0; group < 4; group++)
        {
            var position = (group * 14) + 13;
            var wrong = canonical.ToCharArray();
            wrong[position] = wrong[position] == 'A' ? 'B' : 'A';
            Assert.False(SyncthingDeviceId.TryParse(new string(wrong), out _), $"check character {group + 1} was not checked");
        }
    }
}
