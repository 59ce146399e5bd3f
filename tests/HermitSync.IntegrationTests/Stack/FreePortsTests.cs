using HermitSync.Testing;

namespace HermitSync.IntegrationTests.Stack;

/// <summary>The ports a test's stack is given: free, and never given twice before anything listens on them.</summary>
public sealed class FreePortsTests
{
    [Fact]
    public void Ranges_picked_before_anything_listens_never_overlap()
    {
        // 30 random ranges of 200 in the ~22,000 ports below the kernel's outgoing range would overlap
        // somewhere in all but about 1 run in 2,000 if picks were checked only against what listens.
        var ranges = Enumerable.Range(0, 30).Select(_ => FreePorts.Consecutive(200)).ToArray();

        var ports = ranges.SelectMany(first => Enumerable.Range(first, 200)).ToArray();
        Assert.Equal(ports.Length, ports.Distinct().Count());
    }
}
