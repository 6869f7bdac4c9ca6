using System.Net;
using System.Net.Sockets;

namespace WageClue.Server.Tests;

public static class Ports
{
    /// <summary>A loopback port free at this moment (the system picks it), for a server a test starts.</summary>
    public static int Free()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
