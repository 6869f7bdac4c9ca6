using System.Net;
using System.Text.RegularExpressions;

namespace WageClue.Server.Tests.Operations;

/// <summary>
/// deploy/compose.yaml cannot be started on a machine without a container engine; what can be checked is that the
/// settings it gives the nodes start the service in Production (the start-up checks pass) and that every file it
/// mounts exists.
/// </summary>
public class ComposeTests
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));

    [Test]
    public async Task The_compose_nodes_settings_start_the_service_in_Production_and_its_files_exist()
    {
        var compose = File.ReadAllText(Path.Combine(Root, "deploy", "compose.yaml"));
        // The nodes' environment: the "Section__Key: value" lines under "environment:" in the x-node block.
        var start = compose.IndexOf("environment:", compose.IndexOf("x-node:", StringComparison.Ordinal), StringComparison.Ordinal);
        var block = compose[start..compose.IndexOf("\nservices:", StringComparison.Ordinal)];
        var settings = Regex.Matches(block, @"^\s{4}(\w+): ""?([^""\n]*)""?$", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value.Replace("__", ":", StringComparison.Ordinal), m => (string?)m.Groups[2].Value);
        Assert.That(settings.Keys, Is.SupersetOf(new[] { "ConnectionStrings:WageClue", "Email:BaseUrl", "Email:Smtp:Host", "DataProtection:Certificate:Path" }));
        Assert.That(settings["ConnectionStrings:WageClue"], Does.Contain("Passfile="));

        // What only exists inside the containers is replaced by this machine's: the database, the certificate, the mail server.
        settings["ConnectionStrings:WageClue"] = TestHost.ConnectionString + ";Passfile=/dev/null";
        settings["DataProtection:Certificate:Path"] = TestCertificate.Path;
        settings["DataProtection:Certificate:Password"] = TestCertificate.Password;
        settings["Email:Smtp:Host"] = "127.0.0.1";
        settings["Email:Smtp:Port"] = TestSmtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Email:Outbox:JournalFolder"] = Directory.CreateTempSubdirectory("wageclue-journal-").FullName;
        settings["environment"] = settings["ASPNETCORE_ENVIRONMENT"] ?? "Production";
        await using var node = new WageClueApp(TestHost.ConnectionString, settings);
        var health = new HttpRequestMessage(HttpMethod.Get, "/health") { Headers = { { TestClientAddress.Header, "172.28.0.10" } } };
        Assert.That((await node.CreateClient().SendAsync(health)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        foreach (var file in new[] { "Dockerfile", "deploy/compose/Caddyfile", "deploy/prometheus/prometheus.yml", "deploy/prometheus/alerts.yml", "deploy/compose-secrets.sh" })
            Assert.That(File.Exists(Path.Combine(Root, file)), file);
    }
}
