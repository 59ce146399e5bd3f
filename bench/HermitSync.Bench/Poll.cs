using System.Diagnostics;

namespace HermitSync.Bench;

public static class Poll
{
    /// <summary>Asks every <paramref name="every"/> until <paramref name="done"/> says yes; gives up after <paramref name="patience"/>, a minute by default.</summary>
    public static async Task UntilAsync(Func<Task<bool>> done, TimeSpan every, string what, TimeSpan? patience = null)
    {
        var waited = Stopwatch.StartNew();
        var limit = patience ?? TimeSpan.FromMinutes(1);
        while (!await done())
        {
            if (waited.Elapsed > limit)
            {
                throw new TimeoutException($"Waited {limit.TotalMinutes:0} minutes for {what}.");
            }
            await Task.Delay(every);
        }
    }
}
