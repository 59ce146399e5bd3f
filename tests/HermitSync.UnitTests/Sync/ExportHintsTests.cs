using System.Net;
using HermitSync.Api.Sync;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HermitSync.UnitTests.Sync;

public sealed class ExportHintsTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _time = new();
    private readonly CountingHandler _exporter = new();
    private readonly ServiceProvider _services;
    private readonly ExportHints _hints;

    public ExportHintsTests()
    {
        _services = new ServiceCollection()
            .AddTransient(_ => new ExporterClient(new HttpClient(_exporter, disposeHandler: false) { BaseAddress = new Uri("http://exporter") }))
            .BuildServiceProvider();
        _hints = new ExportHints(_services, _time);
    }

    public Task InitializeAsync() => _hints.StartAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _hints.StopAsync(CancellationToken.None);
        _hints.Dispose();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task A_write_tells_the_exporter_at_once()
    {
        _hints.Written();

        await UntilToldAsync(1);
        Assert.Equal("/sync/changes-written", _exporter.Paths.Single());
    }

    [Fact]
    public async Task A_burst_of_writes_tells_the_exporter_once_per_gap()
    {
        _hints.Written();
        await UntilToldAsync(1);

        for (var i = 0; i < 50; i++)
        {
            _hints.Written();
        }
        await Task.Delay(100);
        Assert.Equal(1, _exporter.Count);

        _time.Advance(ExportHints.Gap);
        await UntilToldAsync(2);

        _time.Advance(ExportHints.Gap);
        await Task.Delay(100);
        Assert.Equal(2, _exporter.Count);
    }

    [Fact]
    public async Task An_exporter_that_does_not_answer_does_not_stop_the_hints()
    {
        _exporter.Refuse = true;
        _hints.Written();
        await UntilToldAsync(1);
        _time.Advance(ExportHints.Gap);

        _exporter.Refuse = false;
        _hints.Written();

        await UntilToldAsync(2);
    }

    private async Task UntilToldAsync(int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (_exporter.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the exporter was told {_exporter.Count} times, not {count}");
            await Task.Delay(10);
        }
        Assert.Equal(count, _exporter.Count);
    }

    private sealed class CountingHandler : HttpMessageHandler
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _paths = new();

        public bool Refuse { get; set; }

        public int Count => _paths.Count;

        public IEnumerable<string> Paths => _paths;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _paths.Enqueue(request.RequestUri!.AbsolutePath);
            return Refuse
                ? Task.FromException<HttpResponseMessage>(new HttpRequestException("connection refused"))
                : Task.FromResult(new HttpResponseMessage(HttpStatusCode.Accepted));
        }
    }
}
