using MailKit.Security;

namespace WageClue.Server.Features.Notifications;

/// <summary>Configuration section "Email". Credentials come from the environment or user secrets, never from the repository.</summary>
public sealed class EmailOptions
{
    /// <summary>The sender every email carries.</summary>
    public string FromAddress { get; set; } = "wageclue@localhost";

    public string FromName { get; set; } = "淄博市欠薪线索督办系统";

    /// <summary>Where links in emails point: the address users open the service at.</summary>
    public string BaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>The right-hand side of every Message-ID; defaults to the sender's domain.</summary>
    public string? MessageIdDomain { get; set; }

    /// <summary>Folder of the *.liquid templates; by default workflows/email-templates beside the binaries.</summary>
    public string? TemplatePath { get; set; }

    public SmtpOptions Smtp { get; set; } = new();

    public OutboxOptions Outbox { get; set; } = new();

    public string ResolvedMessageIdDomain =>
        MessageIdDomain ?? (FromAddress.Contains('@') ? FromAddress[(FromAddress.IndexOf('@') + 1)..] : "wageclue.local");
}

public sealed class SmtpOptions
{
    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 25;

    /// <summary>None, Auto, SslOnConnect, StartTls or StartTlsWhenAvailable (MailKit's SecureSocketOptions).</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTlsWhenAvailable;

    /// <summary>Leave empty for a relay that does not authenticate.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>How long one attempt (connect, or one message) may take.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries within one run, with exponential backoff from <see cref="RetryDelay"/>, on network errors and 4xx replies.</summary>
    public int Retries { get; set; } = 3;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>After this many consecutive failures the circuit opens and no run contacts the server for <see cref="BreakDuration"/>.</summary>
    public int BreakAfterFailures { get; set; } = 5;

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class OutboxOptions
{
    /// <summary>Emails claimed and sent over one SMTP connection at a time.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// A claim not renewed for this long is taken to be from a sender that died, and the email is sent again (same
    /// Message-ID). A live sender renews its claims every third of it (a heartbeat), however long its batch takes.
    /// </summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Where each process keeps its <see cref="SentJournal"/>; by default a folder in the system's temp directory.</summary>
    public string? JournalFolder { get; set; }

    /// <summary>Runs that found the server unreachable before an email is marked failed; the wait doubles each time up to an hour.</summary>
    public int MaxAttempts { get; set; } = 12;

    public TimeSpan FirstRetryAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>One drain run stops claiming new batches after this long; the next run goes on.</summary>
    public TimeSpan RunTimeBudget { get; set; } = TimeSpan.FromSeconds(50);
}
