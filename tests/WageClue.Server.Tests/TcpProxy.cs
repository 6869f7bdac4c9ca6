using System.Net;
using System.Net.Sockets;

namespace WageClue.Server.Tests;

/// <summary>
/// A loopback TCP proxy in front of the test PostgreSQL, so a test can take the database away from one app and give
/// it back (every connection cut, new ones refused) without stopping the server the other tests use.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource _stop = new();

    public TcpProxy(int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Loopback, targetPort);
        Port = Ports.Free();
    }

    public int Port { get; }

    /// <summary>A started proxy in front of the test database.</summary>
    public static TcpProxy ForTestDatabase()
    {
        var proxy = new TcpProxy(new Npgsql.NpgsqlConnectionStringBuilder(TestHost.ConnectionString).Port);
        proxy.Start();
        return proxy;
    }

    /// <summary>An app whose database is behind this proxy, giving up on a connection after 2 s (not the default 15).</summary>
    public WageClueApp App() =>
        new(new Npgsql.NpgsqlConnectionStringBuilder(TestHost.ConnectionString) { Host = "127.0.0.1", Port = Port, Timeout = 2 }.ConnectionString);

    public void Start()
    {
        _stop = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _ = AcceptAsync(_listener, _stop.Token);
    }

    /// <summary>The database "goes away": every connection is cut and no new one is accepted.</summary>
    public void Stop()
    {
        _stop.Cancel();
        _listener?.Stop();
        lock (_open)
        {
            foreach (var client in _open) client.Dispose();
            _open.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await listener.AcceptTcpClientAsync(stop); }
            catch (Exception) { return; }
            var outbound = new TcpClient();
            try { await outbound.ConnectAsync(_target, stop); }
            catch (Exception) { inbound.Dispose(); outbound.Dispose(); continue; }
            lock (_open) { _open.Add(inbound); _open.Add(outbound); }
            _ = PumpAsync(inbound, outbound, stop);
            _ = PumpAsync(outbound, inbound, stop);
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to, CancellationToken stop)
    {
        try { await from.GetStream().CopyToAsync(to.GetStream(), stop); }
        catch (Exception) { /* either side closed */ }
        from.Dispose();
        to.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }
}
