using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Protocol;
using SmtpServer.Storage;
using SmtpHost = SmtpServer.SmtpServer;
using SmtpReply = SmtpServer.Protocol.SmtpResponse;

namespace WageClue.Server.Tests;

/// <summary>
/// A real SMTP server in the test process (the SmtpServer package) on a free loopback port: the app's MailKit client
/// talks SMTP to it over TCP. It can be stopped to play an unreachable server, and told to refuse a recipient for good.
/// </summary>
public static class TestSmtp
{
    public static readonly int Port = Ports.Free();

    private static readonly ConcurrentQueue<MimeMessage> Received = new();
    private static readonly ConcurrentDictionary<string, byte> Refused = new(StringComparer.OrdinalIgnoreCase);
    private static SmtpHost? _server;
    private static CancellationTokenSource? _stop;

    public static IReadOnlyList<MimeMessage> Messages => Received.ToList();

    /// <summary>Answers 550 to every message for this address, as a mail server does for an unknown mailbox.</summary>
    public static void RefuseFor(string address) => Refused[address] = 0;

    /// <summary>While true every message is answered 421 (service not available, try later), as a mail server under maintenance does.</summary>
    public static bool Unavailable { get; set; }

    /// <summary>Runs as each message is taken, before the server answers 250 (a test pulls the database away there).</summary>
    public static Action<MimeMessage>? OnAccepting { get; set; }

    public static void Reset()
    {
        Received.Clear();
        Refused.Clear();
        OnAccepting = null;
        Unavailable = false;
    }

    public static async Task StartAsync()
    {
        if (_server != null) return;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("smtp.test.local")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)).IsSecure(false))
            .Build();
        var services = new ServiceProvider();
        services.Add(new Store());
        _stop = new CancellationTokenSource();
        _server = new SmtpHost(options, services);
        _ = _server.StartAsync(_stop.Token);
        // The package gives no "listening" signal: wait until a connection is accepted.
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new InvalidOperationException($"The test SMTP server did not start on port {Port}.");
    }

    public static async Task StopAsync()
    {
        if (_server == null) return;
        _stop!.Cancel();
        _server.Shutdown();
        try { await _server.ShutdownTask; } catch (OperationCanceledException) { }
        _server = null;
    }

    private sealed class Store : MessageStore
    {
        public override async Task<SmtpReply> SaveAsync(ISessionContext context, IMessageTransaction transaction,
            ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (Unavailable) return new SmtpReply((SmtpReplyCode)421, "service not available, try again later");
            if (transaction.To.Any(t => Refused.ContainsKey($"{t.User}@{t.Host}")))
                return new SmtpReply(SmtpReplyCode.MailboxUnavailable, "mailbox unavailable");
            await using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            Received.Enqueue(message);
            OnAccepting?.Invoke(message);
            return SmtpReply.Ok;
        }
    }
}
