namespace Aspire.Hosting.ApplicationModel;

/// <summary>The automatic backups' cadence (<c>HermitSync:Backups</c>): hourly, the newest 10 kept, as the seed's snapshots were.</summary>
public sealed record RqliteBackupOptions
{
    /// <summary>How long after the newest automatic backup the next is taken; the first one, this long after the first start.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How many automatic backups are kept; older ones are deleted once a new one is whole.</summary>
    public int Keep { get; init; } = 10;

    /// <summary>How long a failed backup waits before the next try, at most the interval.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMinutes(1);

    public RqliteBackupOptions Validated() =>
        Interval < TimeSpan.FromSeconds(1) || Keep < 1
            ? throw new InvalidOperationException($"HermitSync:Backups: Interval is {Interval} and Keep {Keep}; back up at most every second, and keep at least one.")
            : this;
}
