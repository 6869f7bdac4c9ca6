using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using WageClue.Server.Features.Notifications;
using WageClue.Server.Features.Sla;

namespace WageClue.Server.Tests;

/// <summary>The background jobs of an app, run by the test instead of by Hangfire, on the test's fake clock.</summary>
public static class Jobs
{
    public static Task<SweepResult> SweepAsync(WageClueApp? app = null) =>
        (app ?? TestHost.App).Services.GetRequiredService<SlaSweep>().RunAsync();

    public static Task<DrainResult> DrainAsync(WageClueApp? app = null) =>
        (app ?? TestHost.App).Services.GetRequiredService<OutboxSender>().DrainAsync(CancellationToken.None);

    public static Task<DigestResult> DigestAsync() => TestHost.App.Services.GetRequiredService<DailyDigest>().RunAsync();

    public static string To(this MimeMessage m) => string.Join(",", m.To.Mailboxes.Select(a => a.Address));

    public static string Text(this MimeMessage m) => m.Subject + "\n" + m.TextBody;

    /// <summary>The bracketed level name a subject starts with: "【超时】…" gives "超时".</summary>
    public static string Level(this MimeMessage m)
    {
        var subject = m.Subject ?? "";
        return subject.StartsWith('【') ? subject[1..subject.IndexOf('】', StringComparison.Ordinal)] : subject;
    }

    /// <summary>Who got what: "recipient level-name" pairs, sorted.</summary>
    public static IReadOnlyList<string> Deliveries(IEnumerable<MimeMessage> messages) =>
        messages.Select(m => $"{m.To().Split('@')[0]} {m.Level()}").Order(StringComparer.Ordinal).ToList();
}
