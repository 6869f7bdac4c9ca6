using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WageClue.Benchmark;

/// <summary>
/// The SMTP sink the server sends to during the benchmark: it answers the commands MailKit sends, counts the
/// messages and keeps their Message-IDs to find duplicates, and stores nothing else. Hand-written on purpose: the
/// SmtpServer package, used by the tests, accepted one message per ~45 ms per connection here, so it would have
/// measured itself rather than WageClue's outbox.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<(string MessageId, long Ticks)> _received = new();
    private readonly Task _accepting;

    public SmtpSink()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Count => _received.Count;

    public IReadOnlyList<(string MessageId, long Ticks)> Received => _received.ToList();

    public void Clear() => _received.Clear();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            client.NoDelay = true;
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 sink ESMTP");
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                var command = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (command)
                {
                    case "EHLO":
                        await writer.WriteAsync("250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 go ahead");
                        var messageId = "";
                        while (await reader.ReadLineAsync() is { } data && data != ".")
                            if (messageId.Length == 0 && data.StartsWith("Message-Id:", StringComparison.OrdinalIgnoreCase))
                                messageId = data[11..].Trim();
                        _received.Enqueue((messageId, Stopwatch.GetTimestamp()));
                        await writer.WriteLineAsync("250 OK queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        return;
                    default:
                        await writer.WriteLineAsync("250 OK");
                        break;
                }
            }
        }
        catch (IOException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _accepting; } catch (OperationCanceledException) { }
    }
}
