using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace WageClue.Server.Features.Notifications;

/// <summary>
/// Our own record, outside PostgreSQL, of each email the mail server accepted, written before the outbox row is
/// marked sent. When the database fails right after the server took an email, the row stays claimed; without this
/// the email was treated as unsent and delivered again. Each process appends to its own file (its pid in the name);
/// every drain first marks the ids in its file sent in the database and then empties it, and the file of a process
/// that is gone is taken over the same way, so the resend is recognised and suppressed here, not only by the mail
/// server's view of the Message-ID.
/// </summary>
public sealed class SentJournal
{
    private readonly string _folder;
    private readonly string _own;
    private static readonly Lock _lock = new(); // static: apps of one process (the tests) share the file

    public SentJournal(IOptions<EmailOptions> options, Npgsql.NpgsqlDataSource db)
    {
        // By default one folder per database, so that two deployments on one machine never mark each other's emails.
        var target = new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString);
        var name = string.Concat($"{target.Host}-{target.Port}-{target.Database}".Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_'));
        _folder = options.Value.Outbox.JournalFolder ?? Path.Combine(Path.GetTempPath(), $"wageclue-outbox-{name}");
        Directory.CreateDirectory(_folder);
        _own = Path.Combine(_folder, $"sent-{Environment.ProcessId}.journal");
    }

    public string Folder => _folder;

    /// <summary>The server accepted this email: remembered durably (flushed to disk) before anything else happens.</summary>
    public void Add(long emailId)
    {
        lock (_lock)
        {
            using var file = new FileStream(_own, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            file.Write(System.Text.Encoding.ASCII.GetBytes($"{emailId}\n"));
            file.Flush(flushToDisk: true);
        }
    }

    public bool Contains(long emailId) => Read(_own).Contains(emailId);

    /// <summary>
    /// Hands every remembered id (this process's and those of processes that are gone) to <paramref name="markSent"/>,
    /// and forgets them once it succeeded. If the database is still away, they stay for the next drain.
    /// </summary>
    public async Task FlushAsync(Func<IReadOnlyList<long>, Task> markSent)
    {
        foreach (var path in Directory.GetFiles(_folder, "sent-*.journal"))
        {
            if (path != _own && IsAlive(path)) continue; // another running process flushes its own
            var ids = Read(path).ToList();
            if (ids.Count > 0) await markSent(ids);
            lock (_lock)
            {
                // Only what was read is forgotten: an id appended meanwhile (this process) is kept.
                var now = Read(path);
                var rest = now.Except(ids).ToList();
                if (rest.Count == 0) File.Delete(path);
                else File.WriteAllLines(path, rest.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
    }

    private static HashSet<long> Read(string path)
    {
        if (!File.Exists(path)) return [];
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(file);
        var ids = new HashSet<long>();
        while (reader.ReadLine() is { } line)
            if (long.TryParse(line, out var id)) ids.Add(id); // a torn last line of a crashed process is skipped
        return ids;
    }

    private static bool IsAlive(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path); // sent-{pid}
        if (!int.TryParse(name.AsSpan(5), out var pid)) return false;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
