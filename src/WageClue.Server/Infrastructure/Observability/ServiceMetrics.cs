using System.Diagnostics.Metrics;

namespace WageClue.Server.Infrastructure.Observability;

/// <summary>
/// The service's own instruments (meter "WageClue"), exported at /metrics with ASP.NET Core's and Npgsql's. The
/// gauges report what the database holds, the same on every node (ServiceFigures reads them); the counters are this
/// node's events since it started. Prometheus names: the instrument name with dots as underscores, counters with
/// _total, units as a suffix (wageclue_sweep_lag_seconds).
/// </summary>
public sealed class ServiceMetrics : IDisposable
{
    public const string MeterName = "WageClue";

    private readonly Meter _meter;
    private readonly Counter<long> _emailsSent, _emailsRefused;

    public ServiceMetrics(IMeterFactory meters, ServiceFigures figures)
    {
        _meter = meters.Create(MeterName);
        _emailsSent = _meter.CreateCounter<long>("wageclue.emails.sent", description: "Emails the mail server accepted, by this node.");
        _emailsRefused = _meter.CreateCounter<long>("wageclue.emails.refused",
            description: "Emails the mail server refused for good (5xx such as 550) or with a malformed address, by this node.");

        _meter.CreateObservableGauge("wageclue.clues", () => figures.Current.CluesByState.Select(c =>
            new Measurement<long>(c.Count, new KeyValuePair<string, object?>("state", c.State), District(c.DistrictId), DistrictName(figures, c.DistrictId))),
            description: "Clues by state and district (from the dashboard's summary, rebuilt every few minutes).");
        _meter.CreateObservableGauge("wageclue.clues.overdue", () => figures.Current.OverdueByDistrict.Select(d =>
            new Measurement<long>(d.Value, District(d.Key), DistrictName(figures, d.Key))),
            description: "Clues with a running clock past its deadline, by district.");
        _meter.CreateObservableGauge("wageclue.sweep.lag", () => figures.Current.SweepLagSeconds, unit: "s",
            description: "How long the oldest escalation point that has come has waited for the sweep (0 when it is up to date).");
        _meter.CreateObservableGauge("wageclue.outbox.waiting", () => figures.Current.Outbox.Waiting,
            description: "Emails pending or being sent.");
        _meter.CreateObservableGauge("wageclue.outbox.oldest_due_age", () => figures.Current.OutboxOldestDueSeconds, unit: "s",
            description: "How long the oldest email due to be tried has waited (0 when none is due).");
        _meter.CreateObservableGauge("wageclue.outbox.failed", () => figures.Current.Outbox.Failed,
            description: "Emails given up (refused for good or retries exhausted); each is listed on the escalations page.");
        _meter.CreateObservableGauge("wageclue.jobs.failed", () => figures.Current.JobsFailed,
            description: "Hangfire jobs in the failed state (the sweep, the sender, the digest, the summaries).");
        _meter.CreateObservableGauge("wageclue.figures.age", () => figures.Current.AgeSeconds, unit: "s",
            description: "How old these figures are: they are read from the database every Metrics:RefreshInterval.");
    }

    private static KeyValuePair<string, object?> District(string id) => new("district", id);

    private static KeyValuePair<string, object?> DistrictName(ServiceFigures figures, string id) => new("district_name", figures.Current.NameOf(id));

    public void EmailSent() => _emailsSent.Add(1);

    public void EmailRefused() => _emailsRefused.Add(1);

    public void Dispose() => _meter.Dispose();
}
