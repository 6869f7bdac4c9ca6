using System.Data;
using DbUp.Engine;
using Npgsql;

namespace WageClue.Server.Features.Privacy;

/// <summary>
/// Migration 0015, in code because sealing needs the key ring: makes the hash key, seals every clue's phone and ID
/// number that 0014 found in plaintext (in batches, inside the migration's one transaction), then drops the
/// plaintext columns and indexes the hashes. The rows' old versions stay in the table's files until PostgreSQL
/// reuses the space: the README's upgrade note says to run VACUUM FULL on wageclue.clues once after it.
/// </summary>
public sealed class SealComplainants(PersonalData pii) : IScript
{
    public const string Name = "WageClue.Server.Infrastructure.Database.Migrations.0015_seal_complainants.cs";

    private const int Batch = 5_000;

    public string ProvideScript(Func<IDbCommand> dbCommandFactory)
    {
        pii.EnsureIndexKey(dbCommandFactory);
        var lastId = 0L;
        while (true)
        {
            var rows = new List<(long Id, string Phone, string? IdNumber)>(Batch);
            using (var read = (NpgsqlCommand)dbCommandFactory())
            {
                read.CommandText = """
                    SELECT id, complainant_phone, complainant_id_number FROM wageclue.clues
                    WHERE id > @lastId ORDER BY id LIMIT @batch
                    """;
                read.Parameters.AddWithValue("lastId", lastId);
                read.Parameters.AddWithValue("batch", Batch);
                using var reader = read.ExecuteReader();
                while (reader.Read())
                    rows.Add((reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
            if (rows.Count == 0) break;
            var phones = rows.Select(r => pii.SealPhone(r.Phone)).ToArray();
            using var write = (NpgsqlCommand)dbCommandFactory();
            write.CommandText = """
                UPDATE wageclue.clues c
                SET complainant_phone_sealed = s.phone, complainant_phone_hash = s.hash, complainant_phone_tail_hash = s.tail,
                    complainant_id_number_sealed = s.id_number
                FROM unnest(@ids, @phones, @hashes, @tails, @idNumbers) AS s(id, phone, hash, tail, id_number)
                WHERE c.id = s.id
                """;
            write.Parameters.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
            write.Parameters.AddWithValue("phones", phones.Select(p => p.Sealed).ToArray());
            write.Parameters.AddWithValue("hashes", phones.Select(p => p.Hash).ToArray());
            write.Parameters.AddWithValue("tails", phones.Select(p => p.TailHash).ToArray());
            write.Parameters.Add(new NpgsqlParameter("idNumbers", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bytea)
                { Value = rows.Select(r => (object?)pii.SealOrNull(r.IdNumber) ?? DBNull.Value).ToArray() });
            write.ExecuteNonQuery();
            lastId = rows[^1].Id;
        }
        return """
            ALTER TABLE wageclue.clues
                DROP COLUMN complainant_phone,
                DROP COLUMN complainant_id_number,
                ALTER COLUMN complainant_phone_sealed SET NOT NULL,
                ALTER COLUMN complainant_phone_hash SET NOT NULL,
                ALTER COLUMN complainant_phone_tail_hash SET NOT NULL;
            -- Likely duplicates at intake (same phone, newest first) and search by the whole number.
            CREATE INDEX clues_phone_hash_idx ON wageclue.clues (complainant_phone_hash, received_at DESC);
            -- Search by the last four digits, newest first.
            CREATE INDEX clues_phone_tail_idx ON wageclue.clues (complainant_phone_tail_hash, received_at DESC);
            """;
    }
}
