using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WageClue.Server.Features.Privacy;

namespace WageClue.Server.Tests.Hardening;

/// <summary>Issue 13: complainants' phone and ID numbers sealed at rest, still found by phone through an index.</summary>
public class PersonalDataTests : ApiTest
{
    private const string Phone = "13905337788", IdNumber = "370303198506127718";

    /// <summary>The whole test database as pg_dump writes it (a stolen backup).</summary>
    private static async Task<string> DumpAsync()
    {
        var db = new NpgsqlConnectionStringBuilder(TestHost.ConnectionString);
        var pgDump = Directory.GetDirectories("/usr/lib/postgresql").Order().Select(d => Path.Combine(d, "bin", "pg_dump")).Last(File.Exists);
        using var process = Process.Start(new ProcessStartInfo(pgDump,
            ["-h", db.Host!, "-p", db.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", db.Username!, "-d", db.Database!])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        var dump = process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, errors);
        return await dump;
    }

    [Test]
    public async Task A_dump_of_the_database_shows_no_phone_or_id_number_yet_search_and_duplicates_find_the_clue()
    {
        var cw = await TestHost.As("cw.zd");
        var clue = await cw.RegisterAsync(Api.NewClue(c => { c["complainantPhone"] = Phone; c["complainantIdNumber"] = IdNumber; }));
        Assert.That((await cw.ActAsync(clue.Id(), "accept", new { assigneeId = TestHost.UserIds["cw.zd"] })).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var sup = await TestHost.As("sup.zd");
        var full = await sup.GetObjectAsync($"/api/clues/{clue.Id()}/complainant");
        Assert.That(full.Str("phone"), Is.EqualTo(Phone), "opened for a supervisor");
        Assert.That(full.Str("idNumber"), Is.EqualTo(IdNumber));

        // Found by the whole number and by its last four digits, through the hash indexes.
        foreach (var q in new[] { Phone, "7788", "139-0533-7788" })
        {
            var found = await cw.GetObjectAsync($"/api/clues?q={Uri.EscapeDataString(q)}");
            Assert.That(found["items"]!.AsArray().Select(i => i!["id"]!.GetValue<long>()), Is.EqualTo(new[] { clue.Id() }), q);
        }
        var duplicates = await cw.Http.PostAsync("/api/clues/duplicates", new StringContent(
            Api.NewClue(c => { c["complainantPhone"] = Phone; c["employerName"] = "淄博另一家公司"; c.Remove("employerCreditCode"); }).ToJsonString(),
            System.Text.Encoding.UTF8, "application/json"));
        Assert.That(await duplicates.Content.ReadAsStringAsync(), Does.Contain(clue.Str("trackingCode")).And.Contain("同一反映人电话"));

        var dump = await DumpAsync();
        Assert.That(dump, Does.Contain(clue.Str("trackingCode")), "the dump holds the clue");
        Assert.That(dump, Does.Not.Contain(Phone).And.Not.Contain("0533-7788").And.Not.Contain(IdNumber), "but neither number");
        Assert.That(dump, Does.Contain("encryptedSecret").And.Not.Contain("<masterKey"), "and the key ring only encrypted");
    }

    [Test]
    public async Task The_phone_hash_indexes_answer_the_searches_and_the_duplicate_check()
    {
        var pii = TestHost.App.Services.GetRequiredService<PersonalData>();
        await using var conn = new NpgsqlConnection(TestHost.ConnectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await new NpgsqlCommand("SET LOCAL enable_seqscan = off", conn, tx).ExecuteNonQueryAsync();
        foreach (var (column, hash) in new[] { ("complainant_phone_hash", pii.PhoneHash(Phone)), ("complainant_phone_tail_hash", pii.PhoneTailHash("7788")) })
        {
            await using var explain = new NpgsqlCommand(
                $"EXPLAIN SELECT id FROM wageclue.clues WHERE {column} = @h ORDER BY received_at DESC LIMIT 10", conn, tx);
            explain.Parameters.AddWithValue("h", hash);
            var plan = string.Join("\n", await ReadAllAsync(explain));
            Assert.That(plan, Does.Contain(column == "complainant_phone_hash" ? "clues_phone_hash_idx" : "clues_phone_tail_idx"), plan);
        }
    }

    private static async Task<List<string>> ReadAllAsync(NpgsqlCommand command)
    {
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        return lines;
    }

    [Test]
    public void The_same_number_written_either_way_has_one_hash_and_the_tail_is_its_last_four_digits()
    {
        var pii = TestHost.App.Services.GetRequiredService<PersonalData>();
        Assert.That(pii.PhoneHash("0533-2187654"), Is.EqualTo(pii.PhoneHash("05332187654")));
        Assert.That(pii.PhoneHash("13905337788"), Is.Not.EqualTo(pii.PhoneHash("13905337789")));
        Assert.That(pii.PhoneTailHash("13905337788"), Is.EqualTo(pii.PhoneTailHash("7788")));
        Assert.That(pii.PhoneTailHash("7788"), Is.Not.EqualTo(pii.PhoneHash("7788")), "the two hashes are kept apart");
        var (once, twice) = (pii.Seal(Phone), pii.Seal(Phone));
        Assert.That(once, Is.Not.EqualTo(twice), "sealing is randomised: equal numbers look different at rest");
        Assert.That(pii.Open(twice), Is.EqualTo(Phone));
    }
}
