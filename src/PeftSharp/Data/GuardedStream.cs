namespace PeftSharp.Data;

/// <summary>
/// A read-only view of a seekable stream that gives up, with an <see cref="IOException"/>, once
/// its reader has read far more than the stream holds or has run past a deadline.
/// </summary>
/// <remarks>
/// Parquet.Net 6.1 trusts counts in a file's Thrift metadata: a corrupt footer can make it loop
/// for hours (for example skipping a list that claims 2³¹ booleans, which consume no bytes, or
/// lists nested inside such lists). Those loops still touch the stream now and then, so checking
/// a byte budget and a deadline here turns a hang into an error within seconds.
/// </remarks>
internal sealed class GuardedStream(Stream inner, TimeSpan timeLimit) : Stream
{
    private readonly long byteBudget = 16 * inner.Length + (1 << 20);
    private readonly long callBudget = 8 * inner.Length + 100_000;
    private readonly long deadline = Environment.TickCount64 + (long)timeLimit.TotalMilliseconds;
    private long bytes, calls;

    private void Check(long bytes)
    {
        this.bytes += bytes;
        if (++calls > callBudget || this.bytes > byteBudget)
            throw new IOException($"read {this.bytes} bytes in {calls} calls from a {inner.Length}-byte file; its metadata is corrupt");
        if (Environment.TickCount64 > deadline)
            throw new IOException($"reading did not finish within {timeLimit.TotalSeconds:0} s; the file's metadata is probably corrupt");
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int read = inner.Read(buffer, offset, count);
        Check(read);
        return read;
    }

    public override int Read(Span<byte> buffer)
    {
        int read = inner.Read(buffer);
        Check(read);
        return read;
    }

    public override int ReadByte()
    {
        int value = inner.ReadByte();
        Check(1);
        return value;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await inner.ReadAsync(buffer, cancellationToken);
        Check(read);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        Check(0);
        return inner.Seek(offset, origin);
    }

    public override long Position
    {
        get => inner.Position;
        set { Check(0); inner.Position = value; }
    }

    public override long Length => inner.Length;
    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
