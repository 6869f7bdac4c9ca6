using System.Diagnostics;
using Npgsql;

namespace WageClue.Server.Tests.Operations;

/// <summary>deploy/backup.sh and deploy/restore-drill.sh, run as an operator runs them, against the test database.</summary>
public class BackupTests : ApiTest
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));

    private static async Task<(int Code, string Output)> RunAsync(string script, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [Path.Combine(Root, "deploy", script), .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    [Test]
    public async Task A_backup_restores_into_a_fresh_cluster_with_every_row_and_the_newest_clue_and_a_wrong_one_fails_the_drill()
    {
        var cw = await TestHost.As("cw.zd");
        string newest = "";
        for (var i = 0; i < 3; i++) newest = (await cw.RegisterAsync()).Str("trackingCode")!;
        var c = new NpgsqlConnectionStringBuilder(TestHost.ConnectionString);
        var folder = Directory.CreateTempSubdirectory("wageclue-backup-").FullName;
        try
        {
            var (code, output) = await RunAsync("backup.sh", $"postgresql://{c.Username}@{c.Host}:{c.Port}/{c.Database}", folder);
            Assert.That(code, Is.Zero, output);
            await cw.RegisterAsync(); // after the snapshot: not in the backup, and the manifest agrees
            var dump = Directory.GetFiles(folder, "*.dump").Single();

            (code, output) = await RunAsync("restore-drill.sh", dump);
            Assert.That(code, Is.Zero, output);
            Assert.That(output, Does.Contain("restore drill passed").And.Contain("(3 clues)").And.Contain($" {newest} "));

            // A backup that does not hold what its manifest says fails the drill, naming the difference.
            var manifest = Path.ChangeExtension(dump, ".manifest");
            File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("wageclue.clues|3", "wageclue.clues|4"));
            (code, output) = await RunAsync("restore-drill.sh", dump);
            Assert.That(code, Is.EqualTo(1), output);
            Assert.That(output, Does.Contain("restore drill FAILED").And.Contain("wageclue.clues|4"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
