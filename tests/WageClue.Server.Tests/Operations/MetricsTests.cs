using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using WageClue.Server.Infrastructure.Observability;

namespace WageClue.Server.Tests.Operations;

/// <summary>
/// The service's instruments, read in-process as any meter listener reads them. The Prometheus text itself is checked
/// against a published server process (<see cref="ScrapeAsync"/>, used by StartupTests): in one test process many
/// hosts create meters of the same names, and the OpenTelemetry SDK stops exporting a name once any host's meter of
/// that name is disposed (opentelemetry-dotnet issue 6412), which a service never meets with its one host.
/// </summary>
public class MetricsTests : ApiTest
{
    private static IMeterFactory Meters => TestHost.App.Services.GetRequiredService<IMeterFactory>();

    private static MetricCollector<T> Collect<T>(string instrument) where T : struct =>
        new(Meters, ServiceMetrics.MeterName, instrument);

    /// <summary>The gauge's current value (of the series whose district is <paramref name="district"/>, when given), or null.</summary>
    private static async Task<double?> GaugeAsync<T>(string instrument, string? district = null) where T : struct
    {
        await TestHost.App.Services.GetRequiredService<ServiceFigures>().RefreshAsync();
        using var collector = Collect<T>(instrument);
        collector.RecordObservableInstruments();
        var samples = collector.GetMeasurementSnapshot()
            .Where(m => district == null || Equals(m.Tags.GetValueOrDefault("district"), district)).ToList();
        return samples.Count == 0 ? null : Convert.ToDouble(samples[^1].Value, CultureInfo.InvariantCulture);
    }

    [Test]
    public async Task Metrics_are_served_to_the_allowed_network_and_hidden_from_everyone_else()
    {
        using var client = TestHost.App.CreateClient();
        async Task<HttpResponseMessage> From(string address) =>
            await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { TestClientAddress.Header, address } } });

        var inside = await From("127.0.0.1");
        Assert.That(inside.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await inside.Content.ReadAsStringAsync(), Does.Contain("target_info{service_name=\"wageclue\""));
        var outside = await From("203.0.113.9");
        Assert.That(outside.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await outside.Content.ReadAsStringAsync(), Does.Not.Contain("target_info"));
    }

    [Test]
    public async Task The_sweep_lag_a_refused_email_and_an_overdue_clue_show_in_the_metrics()
    {
        var cw = await TestHost.As("cw.zd");
        await cw.RegisterAsync(Api.NewClue(c => c["districtId"] = "370303"));
        using var refused = Collect<long>("wageclue.emails.refused");
        using var sent = Collect<long>("wageclue.emails.sent");

        // The accept clock's warning falls at 15:30; at 15:40 nothing has swept it yet.
        Time.SetUtcNow(Local("2026-11-25T15:40:00"));
        Assert.That(await GaugeAsync<double>("wageclue.sweep.lag"), Is.EqualTo(600));
        Assert.That(await GaugeAsync<long>("wageclue.clues.overdue", "370303"), Is.Null.Or.Zero);

        TestSmtp.RefuseFor("cw2.zd@test.local");
        await Jobs.SweepAsync();
        await Jobs.DrainAsync();
        Assert.That(await GaugeAsync<double>("wageclue.sweep.lag"), Is.Zero);
        Assert.That(await GaugeAsync<long>("wageclue.outbox.failed"), Is.EqualTo(1), "the 550 is an operator's to look at");
        Assert.That(await GaugeAsync<long>("wageclue.outbox.waiting"), Is.Zero);
        Assert.That(refused.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1));
        Assert.That(sent.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1), "cw.zd's warning");

        // Past the 17:30 deadline with the clue still not accepted.
        Time.SetUtcNow(Local("2026-11-25T18:00:00"));
        Assert.That(await GaugeAsync<long>("wageclue.clues.overdue", "370303"), Is.EqualTo(1));
        using var overdue = Collect<long>("wageclue.clues.overdue");
        overdue.RecordObservableInstruments();
        Assert.That(overdue.LastMeasurement!.Tags["district_name"], Is.EqualTo("张店区"));
    }

    /// <summary>
    /// /metrics of a published server as Prometheus reads it: the request histogram, the database calls, the service's
    /// gauges, and every series the Grafana dashboard and the alert rules read (but those that appear only once there
    /// is something to count: clues, overdue clues, this node's deliveries).
    /// </summary>
    public static async Task ScrapeAsync(PublishedServer server)
    {
        Assert.That((await server.Http.GetAsync("/health")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var response = await server.Http.GetAsync("/metrics");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var scrape = await response.Content.ReadAsStringAsync();
        var exported = scrape.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => Regex.Match(l, "^[a-z_]+").Value).ToHashSet();
        Assert.That(exported, Is.SupersetOf(new[]
        {
            "http_server_request_duration_seconds_bucket", "db_client_operation_duration_seconds_bucket", "wageclue_sweep_lag_seconds",
            "wageclue_outbox_waiting", "wageclue_outbox_failed", "wageclue_jobs_failed", "wageclue_figures_age_seconds",
        }));
        exported.UnionWith(["wageclue_clues", "wageclue_clues_overdue", "wageclue_emails_sent_total", "wageclue_emails_refused_total"]);

        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "WageClue.sln"))) root = Path.GetDirectoryName(root)!;
        foreach (var file in new[] { "deploy/grafana/wageclue-dashboard.json", "deploy/prometheus/alerts.yml" })
        {
            // Series names only: label lists (by (...)) and matchers ({...}) name labels, not series.
            var text = Regex.Replace(File.ReadAllText(Path.Combine(root, file)), @"by \([^)]*\)|\{[^{}]*\}", " ");
            var read = Regex.Matches(text, @"\b(wageclue|http_server|db_client)_[a-z_]+").Select(m => m.Value).Distinct().ToList();
            Assert.That(read, Is.Not.Empty);
            Assert.That(read.Where(r => !exported.Contains(r)), Is.Empty, $"{file} reads series that /metrics does not export");
        }
    }
}
