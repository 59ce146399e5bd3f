using System.Diagnostics;

namespace HermitSync.Bench;

public static class Poll
{
    /// <summary>Asks every <paramref name="every"/> until <paramref name="done"/> says yes; gives up after a minute.</summary>
    public static async Task UntilAsync(Func<Task<bool>> done, TimeSpan every, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!await done())
        {
            if (waited.Elapsed > TimeSpan.FromMinutes(1))
            {
                throw new TimeoutException($"Waited a minute for {what}.");
            }
            await Task.Delay(every);
        }
    }
}
