using System.IO.Pipelines;

namespace HermitSync.Api.Export;

/// <summary>
/// What a zip writer writes, held until it is drained to the response. The writer may write
/// synchronously, which Kestrel refuses, so its bytes wait here; the export drains them after
/// each note once a send's worth has gathered, so at most that or one note's bytes are held.
/// </summary>
internal sealed class DrainedBuffer(PipeWriter response) : Stream
{
    /// <summary>Enough for one send to carry many small notes.</summary>
    private const int SendBytes = 64 * 1024;

    private readonly MemoryStream _pending = new();
    private long _position;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();

    /// <summary>How many bytes were written in all: a zip writer reads it to place its headers.</summary>
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _pending.Write(buffer);
        _position += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    /// <summary>Sends what is held on to the response, once a send's worth has gathered or when <paramref name="all"/>.</summary>
    public async Task DrainAsync(bool all, CancellationToken cancellationToken)
    {
        if (_pending.Length == 0 || (!all && _pending.Length < SendBytes))
        {
            return;
        }
        await response.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), cancellationToken);
        _pending.SetLength(0);
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
