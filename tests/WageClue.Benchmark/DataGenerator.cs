using Dapper;
using Npgsql;
using WageClue.Server.Features.Privacy;

namespace WageClue.Benchmark;

/// <summary>
/// Bulk data straight into the tables with generate_series (seconds for 100 000 clues, not hours of API calls):
/// clues spread over the last <c>days</c> days (120 in the full run; a decade in the province run), all districts and channels, in states matching their age, three clocks each with
/// 90 % met on time, and one history entry each.
/// </summary>
public static class DataGenerator
{
    public static readonly string[] Districts =
        ["370302", "370303", "370304", "370305", "370306", "370321", "370322", "370323", "zb-hitech", "zb-econdev", "zb-wenchanghu"];

    /// <summary>How many employers the bulk clues are spread over.</summary>
    public const int Employers = 20_000;

    /// <summary>How many phone numbers the bulk clues are spread over (sealed in C#, as SQL cannot seal).</summary>
    public const int Phones = 100_000;

    /// <summary>
    /// Phone k is 139 and (k × 7919) mod 10^8: distinct numbers, the last four digits spread evenly (7919 is prime to
    /// 10 000), so a search for "7919" finds 1 in 10 000 clues and one for 13900079190 (k = 10) about 1 in 100 000.
    /// </summary>
    private static async Task AddPhonesAsync(NpgsqlConnection conn, PersonalData pii)
    {
        await conn.ExecuteAsync("CREATE TEMP TABLE IF NOT EXISTS phone (n int PRIMARY KEY, sealed bytea, hash bytea, tail bytea)");
        if (await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_temp.phone") == Phones) return;
        await using var copy = await conn.BeginBinaryImportAsync("COPY pg_temp.phone (n, sealed, hash, tail) FROM STDIN (FORMAT BINARY)");
        for (var k = 1; k <= Phones; k++)
        {
            var phone = pii.SealPhone("139" + (k * 7919L % 100_000_000).ToString("D8", System.Globalization.CultureInfo.InvariantCulture));
            await copy.StartRowAsync();
            await copy.WriteAsync(k);
            await copy.WriteAsync(phone.Sealed);
            await copy.WriteAsync(phone.Hash);
            await copy.WriteAsync(phone.TailHash);
        }
        await copy.CompleteAsync();
    }

    public static async Task AddCluesAsync(NpgsqlDataSource db, PersonalData pii, int count, long assigneeId, int days)
    {
        await using var conn = await db.OpenConnectionAsync();
        var offset = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM wageclue.clues");
        await AddPhonesAsync(conn, pii);
        await conn.ExecuteAsync("""
            DROP TABLE IF EXISTS pg_temp.gen;
            CREATE TEMP TABLE gen AS
            SELECT g,
                   (g % @days) AS age,
                   now() - (g % @days) * interval '1 day' - (g % 600) * interval '1 minute' AS received_at
            FROM generate_series(@first, @last) g;

            ALTER TABLE gen ADD COLUMN id bigint;
            UPDATE gen SET id = nextval(pg_get_serial_sequence('wageclue.workflow_instances', 'id'));

            INSERT INTO wageclue.workflow_instances (id, subject, definition_id, definition_version, calendar_version, state, version,
                district_id, assignee_id, created_at, updated_at)
            OVERRIDING SYSTEM VALUE
            SELECT id, 'clue', 'wage-arrears-clue', 2, 1,
                CASE WHEN g % 50 = 0 THEN 'rejected'
                     WHEN age = 0 THEN (ARRAY['received','accepted','connected'])[1 + g % 3]
                     WHEN age < 4 THEN (ARRAY['accepted','connected','handling'])[1 + g % 3]
                     WHEN age < 30 THEN (ARRAY['handling','resolved'])[1 + g % 2]
                     ELSE (ARRAY['resolved','closed','closed'])[1 + g % 3] END,
                3, (@districts)[1 + g % 11], CASE WHEN age = 0 AND g % 3 = 0 THEN NULL ELSE @assigneeId END, received_at, received_at
            FROM gen;

            -- Employers made in bulk (the intake trigger would make them one clue at a time): 20 000 of them, so most
            -- have several clues, as a province's repeat offenders do. Names as a city's are (place, brand, trade):
            -- each brand is in 1 of 40 names, so a search for part of a name finds what a real one would.
            DROP TABLE IF EXISTS pg_temp.emp;
            CREATE TEMP TABLE emp AS
            SELECT n, '淄博' || (ARRAY['张店','淄川','博山','临淄','周村','桓台','高青','沂源','高新','经开'])[1 + n % 10]
                || (ARRAY['华信','鲁中','齐鲁','恒通','金诚','宏达','瑞丰','鑫源','泰和','永安','盛世','天成','宝利','汇丰','联创','众合',
                          '东方','新华','博远','昌盛','万达','国泰','利民','长城','金鼎','华泰','中元','兴业','福源','嘉和','安泰','佳美',
                          '润泽','信达','恒昌','海洋','星辰','和顺','诚信','凯旋'])[1 + (n / 10) % 40]
                || (ARRAY['建筑工程','机械制造','物流','餐饮管理','陶瓷','纺织','化工','劳务派遣','装饰工程','商贸'])[1 + (n / 400) % 10]
                || CASE WHEN n >= 4000 THEN (n / 4000)::text ELSE '' END || '有限公司' AS name
            FROM generate_series(1, @Employers) n;
            INSERT INTO wageclue.employers (credit_code, name, name_key, district_id, created_at)
            SELECT NULL, name, wageclue.employer_name_key(name), (@districts)[1 + n % 11], now() FROM emp
            ON CONFLICT (name_key) WHERE credit_code IS NULL DO NOTHING;
            ALTER TABLE emp ADD COLUMN id bigint;
            UPDATE emp SET id = e.id FROM wageclue.employers e WHERE e.credit_code IS NULL AND e.name_key = wageclue.employer_name_key(emp.name);

            INSERT INTO wageclue.clues (id, tracking_code, channel, complainant_name, complainant_phone_sealed, complainant_phone_hash,
                complainant_phone_tail_hash, employer_id, employer_name, worker_count, amount_owed, description, received_at, receipt_day)
            SELECT gen.id, 'ZBBULK' || lpad(g::text, 10, '0'),
                (ARRAY['hotline-12345','national-platform','walk-in','letters-visits','inspection','transfer'])[1 + g % 6],
                -- 400 names and a phone per clue, as the search benchmark needs them to vary.
                (ARRAY['王','李','张','刘','陈','杨','赵','黄','周','吴','徐','孙','胡','朱','高','林','何','郭','马','罗'])[1 + g % 20]
                    || (ARRAY['伟','芳','娜','秀英','敏','静','丽','强','磊','军','洋','勇','艳','杰','娟','涛','明','超','秀兰','霞'])[1 + (g / 20) % 20],
                p.sealed, p.hash, p.tail,
                e.id, e.name, 1 + g % 40, (g % 200000) / 1.0, '批量生成的线索', received_at,
                (received_at AT TIME ZONE 'Asia/Shanghai')::date
            FROM gen JOIN pg_temp.emp e ON e.n = 1 + g % @Employers JOIN pg_temp.phone p ON p.n = 1 + g % @Phones;
            """, new { first = offset + 1, last = offset + count, districts = Districts, assigneeId, Employers, Phones, days }, commandTimeout: 0);

        // Clock k is due at 17:30 Beijing time (09:30 UTC) k days after receipt; met in time for 9 of 10 clues.
        await conn.ExecuteAsync("""
            INSERT INTO wageclue.workflow_clocks (instance_id, district_id, clock, started_at, due_at, provisional, met_at, met_by, cancelled_at, escalation_level, next_escalation_at)
            SELECT c.id, c.district_id, k.clock, c.received_at, d.due_at, false,
                   CASE WHEN k.done THEN CASE WHEN c.id % 10 = 0 THEN d.due_at + interval '3 hours' ELSE d.due_at - interval '3 hours' END END,
                   CASE WHEN k.done THEN k.clock END,
                   CASE WHEN NOT k.done AND c.state = 'rejected' THEN c.received_at END,
                   CASE WHEN NOT k.done AND c.state <> 'rejected' AND d.due_at < now() THEN 3 ELSE 0 END,
                   CASE WHEN NOT k.done AND c.state <> 'rejected' AND d.due_at >= now() THEN d.due_at - interval '2 hours' END
            FROM (SELECT c.id, c.received_at, c.tracking_code, i.state, i.district_id FROM wageclue.clues c JOIN wageclue.workflow_instances i ON i.id = c.id) c
            CROSS JOIN LATERAL (VALUES
                ('accept', 0, c.state <> 'received' AND c.state <> 'rejected'),
                ('connect', 1, c.state IN ('connected', 'handling', 'resolved', 'closed')),
                ('feedback', 3, c.state IN ('handling', 'resolved', 'closed'))) AS k(clock, days, done)
            CROSS JOIN LATERAL (SELECT date_trunc('day', c.received_at) + (k.days || ' days')::interval + interval '9 hours 30 minutes' AS due_at) d
            WHERE c.tracking_code LIKE 'ZBBULK%' AND c.id > (SELECT coalesce(max(instance_id), 0) FROM wageclue.workflow_clocks);

            INSERT INTO wageclue.workflow_history (instance_id, at, kind, to_state, instance_version, data)
            SELECT c.id, c.received_at, 'registered', 'received', 1, '{"calendarVersion":1,"definition":{"id":"wage-arrears-clue","version":2},"clocks":[]}'
            FROM wageclue.clues c
            WHERE c.tracking_code LIKE 'ZBBULK%' AND c.id > (SELECT coalesce(max(instance_id), 0) FROM wageclue.workflow_history);
            """, commandTimeout: 0);
        // What autovacuum does to a bureau's tables between loads: statistics, and the visibility map that lets an
        // index answer alone (search reads instance ids from workflow_instances_district_id_idx). VACUUM cannot run
        // inside a batch's transaction, so one command each.
        foreach (var table in new[] { "employers", "clues", "workflow_instances", "workflow_clocks", "workflow_history" })
            await conn.ExecuteAsync($"VACUUM ANALYZE wageclue.{table}", commandTimeout: 0);
    }

    /// <summary>The size of WageClue's own tables and indexes (not Hangfire's), in MB.</summary>
    public static async Task<double> WageClueSizeMegabytesAsync(NpgsqlDataSource db)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>("""
            SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'wageclue' AND c.relkind = 'r'
            """) / 1024.0 / 1024.0;
    }
}

/// <summary>Clues for the runs after the bulk load, all of one complainant (王五, 13800001111, sealed once).</summary>
public sealed class WorkGenerator(NpgsqlDataSource db, PersonalData pii)
{
    private readonly SealedPhone _phone = pii.SealPhone("13800001111");


    /// <summary>
    /// The first part of every work generator: @count instances in @state of @district (held by @assigneeId, if
    /// any), each with its clue received at @receivedAt and coded @prefix + its id; the CTE "c" holds their ids.
    /// </summary>
    private const string NewClues = """
        WITH i AS (
            INSERT INTO wageclue.workflow_instances (subject, definition_id, definition_version, calendar_version, state, previous_state,
                version, district_id, assignee_id, created_at, updated_at)
            SELECT 'clue', 'wage-arrears-clue', 2, 1, @state, CASE WHEN @state <> 'received' THEN 'received' END,
                CASE WHEN @state <> 'received' THEN 2 ELSE 1 END, @district, @assigneeId, now(), now()
            FROM generate_series(1, @count) g
            RETURNING id)
        , c AS (
            INSERT INTO wageclue.clues (id, tracking_code, channel, complainant_name, complainant_phone_sealed, complainant_phone_hash,
                complainant_phone_tail_hash, employer_name, worker_count, amount_owed, description, received_at, receipt_day)
            SELECT id, @prefix || lpad(id::text, 9, '0'), 'hotline-12345', '王五', @PhoneSealed, @PhoneHash, @PhoneTailHash,
                '淄博某公司' || (1 + id % 20000), 3, 9000, '批量生成的线索',
                @receivedAt, (@receivedAt AT TIME ZONE 'Asia/Shanghai')::date
            FROM i
            RETURNING id)
        """;

    /// <summary>Fresh clues in 'received' with their three clocks running, for the transition runs; returns their ids.</summary>
    public async Task<List<long>> AddReceivedAsync(int count, string district, string prefix)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<long>($"""
            {NewClues}
            , k AS (
                INSERT INTO wageclue.workflow_clocks (instance_id, district_id, clock, started_at, due_at, provisional, next_escalation_at)
                SELECT id, @district, clock, now(), now() + (days || ' days')::interval, false, now() + (days || ' days')::interval - interval '2 hours'
                FROM c CROSS JOIN (VALUES ('accept', 1), ('connect', 2), ('feedback', 4)) v(clock, days))
            SELECT id FROM c ORDER BY id
            """, new { count, district, prefix, state = "received", assigneeId = (long?)null, receivedAt = DateTime.UtcNow, PhoneSealed = _phone.Sealed, PhoneHash = _phone.Hash, PhoneTailHash = _phone.TailHash }, commandTimeout: 0)).AsList();
    }

    /// <summary>Accepted clues held by <paramref name="assigneeId"/>, connect and feedback running (the lifecycle runs); returns their ids.</summary>
    public async Task<List<long>> AddAcceptedAsync(int count, string district, string prefix, long assigneeId)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<long>($"""
            {NewClues}
            , k AS (
                INSERT INTO wageclue.workflow_clocks (instance_id, district_id, clock, started_at, due_at, provisional, met_at, met_by, next_escalation_at)
                SELECT id, @district, clock, now(), now() + (days || ' days')::interval, false,
                       CASE WHEN clock = 'accept' THEN now() END, CASE WHEN clock = 'accept' THEN 'accept' END,
                       CASE WHEN clock <> 'accept' THEN now() + (days || ' days')::interval - interval '2 hours' END
                FROM c CROSS JOIN (VALUES ('accept', 1), ('connect', 2), ('feedback', 4)) v(clock, days))
            SELECT id FROM c ORDER BY id
            """, new { count, district, prefix, state = "accepted", assigneeId = (long?)assigneeId, receivedAt = DateTime.UtcNow, PhoneSealed = _phone.Sealed, PhoneHash = _phone.Hash, PhoneTailHash = _phone.TailHash }, commandTimeout: 0)).AsList();
    }

    /// <summary>Clues whose accept clock falls due at <paramref name="dueAt"/>, warnings already sent: the close-of-business storm.</summary>
    public async Task<(long First, long Last)> AddStormAsync(int count, string district, DateTimeOffset dueAt, int round)
    {
        await using var conn = await db.OpenConnectionAsync();
        var ids = (await conn.QueryAsync<long>($"""
            {NewClues}
            , k AS (
                INSERT INTO wageclue.workflow_clocks (instance_id, district_id, clock, started_at, due_at, provisional, escalation_level, next_escalation_at)
                SELECT id, @district, 'accept', @receivedAt, @dueAt, false, 1, @dueAt FROM c)
            SELECT id FROM c
            """, new
            {
                count, district, prefix = $"ZBSTORM{round}", state = "received", assigneeId = (long?)null,
                dueAt = dueAt.UtcDateTime, receivedAt = dueAt.UtcDateTime.AddHours(-6),
                PhoneSealed = _phone.Sealed, PhoneHash = _phone.Hash, PhoneTailHash = _phone.TailHash,
            }, commandTimeout: 0)).AsList();
        return (ids.Min(), ids.Max());
    }
}
