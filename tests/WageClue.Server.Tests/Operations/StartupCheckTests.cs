using System.Net;
using Npgsql;

namespace WageClue.Server.Tests.Operations;

/// <summary>The service refuses to start on a bad or unsafe configuration and names the setting at fault (StartupChecks).</summary>
public class StartupCheckTests
{
    private static string Refusal(Dictionary<string, string?> settings)
    {
        using var app = new WageClueApp(TestHost.ConnectionString, settings);
        var e = Assert.Catch(() => _ = app.Server, "the service started");
        return e!.ToString();
    }

    private static Dictionary<string, string?> Production(params (string Key, string? Value)[] settings)
    {
        var all = new Dictionary<string, string?> { ["environment"] = "Production" };
        foreach (var (key, value) in settings) all[key] = value;
        return all;
    }

    [Test]
    public void Bad_values_are_refused_in_every_environment_each_named()
    {
        var refusal = Refusal(new Dictionary<string, string?>
        {
            ["Email:Smtp:Port"] = "0",
            ["Jobs:SweepCron"] = "every minute",
            ["Jobs:StatsFullCron"] = "nightly",
            ["Jobs:StatsRecentDays"] = "0",
            ["Metrics:AllowedNetworks:0"] = "the office",
            ["Email:FromAddress"] = "wageclue",
        });
        Assert.That(refusal, Does.Contain("Email:Smtp:Port: 0 is not a port"));
        Assert.That(refusal, Does.Contain("Jobs:SweepCron: 'every minute' is not a cron expression"));
        Assert.That(refusal, Does.Contain("Jobs:StatsFullCron: 'nightly' is not a cron expression"));
        Assert.That(refusal, Does.Contain("Jobs:StatsRecentDays: must be between 1 and 3660"));
        Assert.That(refusal, Does.Contain("Metrics:AllowedNetworks: 'the office' is not a network"));
        Assert.That(refusal, Does.Contain("Email:FromAddress: 'wageclue' is not an email address"));
    }

    [Test]
    public void Production_refuses_a_connection_string_without_a_password()
    {
        var refusal = Refusal(Production(("ConnectionStrings:WageClue", TestHost.ConnectionString)));
        Assert.That(refusal, Does.Contain("ConnectionStrings:WageClue: no Password"));
    }

    [Test]
    public void Production_refuses_to_start_without_its_public_address_and_mail_server()
    {
        var missing = Refusal(Production(("Email:BaseUrl", ""), ("Email:Smtp:Host", "")));
        Assert.That(missing, Does.Contain("Email:BaseUrl: required in Production"));
        Assert.That(missing, Does.Contain("Email:Smtp:Host: required in Production"));

        var local = Refusal(Production(("Email:BaseUrl", "http://127.0.0.1:5080")));
        Assert.That(local, Does.Contain("Email:BaseUrl: 'http://127.0.0.1:5080' must be the public https address"));
    }

    [Test]
    public async Task Production_refuses_a_PostgreSQL_that_could_lose_acknowledged_clues_naming_the_setting()
    {
        await using var conn = new NpgsqlConnection(TestHost.ConnectionString);
        await conn.OpenAsync();
        var off = new List<string>();
        foreach (var setting in new[] { "fsync", "synchronous_commit" })
            if ((string?)await new NpgsqlCommand($"SHOW {setting}", conn).ExecuteScalarAsync() == "off") off.Add(setting);

        var settings = Production(("Database:AllowNonDurable", "false"));
        if (off.Count == 0)
        {
            // A durable cluster (the full benchmark's): it starts.
            await using var app = new WageClueApp(TestHost.ConnectionString, settings);
            Assert.That((await app.CreateClient().GetAsync("/health")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            return;
        }
        var refusal = Refusal(settings);
        foreach (var setting in off) Assert.That(refusal, Does.Contain($"{setting} = off"));
        Assert.That(refusal, Does.Contain("refuses to run on it in Production"));
    }

    [Test]
    public async Task The_API_reference_is_off_in_Production_unless_published()
    {
        await using (var closed = new WageClueApp(TestHost.ConnectionString, Production(("Proxy:RedirectToHttps", "false"))))
        {
            var client = closed.CreateClient();
            Assert.That((await client.GetAsync("/scalar")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await client.GetAsync("/openapi/v1.json")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        }
        await using var published = new WageClueApp(TestHost.ConnectionString, Production(("Proxy:RedirectToHttps", "false"), ("Api:PublishReference", "true")));
        var open = published.CreateClient();
        Assert.That((await open.GetAsync("/openapi/v1.json")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await open.GetAsync("/scalar")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
