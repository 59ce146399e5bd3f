namespace Aspire.Hosting.ApplicationModel;

/// <summary>How long the AppHost's own rqlite checks and commands wait.</summary>
public sealed record RqliteHostingTimeouts
{
    /// <summary>A health probe has to answer before Aspire's next one, a few seconds later; a node that takes longer counts as down.</summary>
    public TimeSpan Request { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>A backup or a restore moves the whole database; it is given this long.</summary>
    public TimeSpan Transfer { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>An election takes 1–5 s on these machines; "Step down leader" gives up after six times that.</summary>
    public TimeSpan Election { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often "Step down leader" asks who leads while it waits for the election.</summary>
    public TimeSpan LeaderPoll { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How many times "Step down leader" starts the old leader again when its restart failed.</summary>
    public int RejoinAttempts { get; init; } = 3;
}
