using HermitSync.Storage;

namespace HermitSync.UnitTests.Storage;

public sealed class HybridLogicalClockTests
{
    [Fact]
    public void Stamps_only_grow_even_when_the_wall_clock_goes_back()
    {
        var time = new ManualTime(DateTimeOffset.Parse("2026-11-26T12:00:00Z"));
        var clock = new HybridLogicalClock(time);

        var first = clock.Next();
        time.Now = time.Now.AddMinutes(-5);
        var second = clock.Next();
        var third = clock.Next();

        Assert.True(second > first);
        Assert.True(third > second);
    }

    [Fact]
    public void An_edit_made_after_seeing_a_version_from_a_fast_clock_still_comes_after_it()
    {
        var fast = new HybridLogicalClock(new ManualTime(DateTimeOffset.Parse("2026-11-26T13:00:00Z")));
        var slow = new HybridLogicalClock(new ManualTime(DateTimeOffset.Parse("2026-11-26T12:00:00Z")));

        var seen = fast.Next();
        var edit = slow.Next(after: seen);

        Assert.True(edit > seen);
        Assert.True(new RevisionId(edit, "b").CompareTo(new RevisionId(seen, "a")) > 0);
    }

    [Fact]
    public void A_stamp_from_far_ahead_neither_drags_the_clock_along_nor_overflows_it()
    {
        var time = new ManualTime(DateTimeOffset.Parse("2026-11-26T12:00:00Z"));
        var clock = new HybridLogicalClock(time);
        var ceiling = HybridLogicalClock.FromPhysical((time.Now + RevisionRules.MaxClockAhead).ToUnixTimeMilliseconds());

        clock.Observe(long.MaxValue);
        var afterObserving = clock.Next();
        var afterFarParent = clock.Next(after: long.MaxValue);

        Assert.InRange(afterObserving, 1, ceiling + 1);
        Assert.InRange(afterFarParent, afterObserving + 1, ceiling + 2);
    }

    [Fact]
    public void Revision_ids_round_trip_through_their_text_form()
    {
        var id = new RevisionId(0x0123_4567_89ab_cdef, SiteIds.New());

        Assert.True(RevisionId.TryParse(id.ToString(), out var parsed));
        Assert.Equal(id, parsed);
        Assert.False(RevisionId.TryParse("0123456789abcdef-NOT-A-SITE", out _));
        Assert.False(RevisionId.TryParse("1", out _));
    }
}

internal sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
