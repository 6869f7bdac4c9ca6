using System.Data;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Npgsql;

namespace WageClue.Server.Features.Privacy;

/// <summary>A phone number as it is stored: sealed, with the keyed hashes that search and duplicate checks look it up by.</summary>
public sealed record SealedPhone(byte[] Sealed, byte[] Hash, byte[] TailHash);

/// <summary>
/// Complainants' phone and ID numbers at rest (PIPL art. 51, GB/T 22239 level 3): the one home of how they are
/// sealed and looked up.
/// <list type="bullet">
/// <item>Sealed with ASP.NET Data Protection (authenticated encryption; each value names the key that sealed it, so
/// keys can roll over). The key ring lives in the database but is itself encrypted with the certificate kept outside
/// it (KeyRingProtection), so a copy of the database alone opens nothing. Keys are never deleted: a key that sealed a
/// clue is needed as long as the clue is kept.</item>
/// <item>Looked up by keyed hashes (HMAC-SHA-256, the first 16 bytes): the whole number and its last four digits,
/// digits only (0533-1234567 and 05331234567 are one number). The hash key is random, stored sealed by Data
/// Protection beside the data, and read once at start-up; without it the hashes cannot be computed for a guess.</item>
/// </list>
/// </summary>
public sealed class PersonalData(IDataProtectionProvider provider, NpgsqlDataSource db)
{
    private readonly IDataProtector _values = provider.CreateProtector("WageClue.PersonalData.v1");
    private readonly IDataProtector _keys = provider.CreateProtector("WageClue.PersonalData.IndexKey.v1");
    private byte[]? _indexKey;

    /// <summary>The digits a caller gives as "尾号" (the end of the number) and that the tail hash covers.</summary>
    public const int TailDigits = 4;

    // 16 of HMAC-SHA-256's 32 bytes: collisions stay out of reach (2^-64 among 4 billion numbers) and the two
    // indexes are a third smaller.
    private const int HashBytes = 16;

    public byte[] Seal(string value) => _values.Protect(Encoding.UTF8.GetBytes(value));

    public byte[]? SealOrNull(string? value) => value == null ? null : Seal(value);

    public string Open(byte[] sealedValue) => Encoding.UTF8.GetString(_values.Unprotect(sealedValue));

    public string? OpenOrNull(byte[]? sealedValue) => sealedValue == null ? null : Open(sealedValue);

    public SealedPhone SealPhone(string phone) => new(Seal(phone), PhoneHash(phone), PhoneTailHash(phone));

    /// <summary>The hash of the whole number.</summary>
    public byte[] PhoneHash(string phone) => Hash("phone", Digits(phone));

    /// <summary>The hash of the number's last four digits (of <paramref name="phoneOrTail"/>, a whole number or the four alone).</summary>
    public byte[] PhoneTailHash(string phoneOrTail)
    {
        var digits = Digits(phoneOrTail);
        return Hash("phone-tail", digits.Length <= TailDigits ? digits : digits[^TailDigits..]);
    }

    private static string Digits(string phone) => string.Concat(phone.Where(char.IsAsciiDigit));

    private byte[] Hash(string what, string digits)
    {
        var key = _indexKey ?? throw new InvalidOperationException("The personal-data hash key is not loaded: PrepareDatabaseAsync (or LoadIndexKeyAsync) runs first.");
        return HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{what}:{digits}"))[..HashBytes];
    }

    /// <summary>
    /// For a tool beside the service (the benchmark's bulk loader): the same key ring from the same database and
    /// certificate (what DataProtection:Certificate:Path and :Password name), and the hash key read.
    /// </summary>
    public static async Task<PersonalData> OutsideTheServiceAsync(NpgsqlDataSource db, string certificatePath, string? certificatePassword)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DataProtection:Certificate:Path"] = certificatePath,
            ["DataProtection:Certificate:Password"] = certificatePassword,
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton(db);
        Accounts.KeyRingProtection.AddKeyRing(services, config, development: false);
        var pii = new PersonalData(services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>(), db);
        await pii.LoadIndexKeyAsync();
        return pii;
    }

    private const string ReadKey = "SELECT sealed_key FROM wageclue.personal_data_keys WHERE purpose = 'index'";

    /// <summary>Reads the hash key (created by migration 0015); every node reads the same one.</summary>
    public async Task LoadIndexKeyAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var sealedKey = await conn.ExecuteScalarAsync<byte[]?>(ReadKey)
            ?? throw new InvalidOperationException("wageclue.personal_data_keys holds no hash key: the database was not migrated by this version.");
        _indexKey = _keys.Unprotect(sealedKey);
    }

    /// <summary>
    /// Inside the migration's transaction (under its advisory lock, so one node makes it): the hash key, made
    /// once, 32 random bytes, stored sealed.
    /// </summary>
    internal void EnsureIndexKey(Func<IDbCommand> command)
    {
        using var read = command();
        read.CommandText = ReadKey;
        if (read.ExecuteScalar() is byte[] existing)
        {
            _indexKey = _keys.Unprotect(existing);
            return;
        }
        var key = RandomNumberGenerator.GetBytes(32);
        using var write = (NpgsqlCommand)command();
        write.CommandText = "INSERT INTO wageclue.personal_data_keys (purpose, sealed_key) VALUES ('index', @key)";
        write.Parameters.AddWithValue("key", _keys.Protect(key));
        write.ExecuteNonQuery();
        _indexKey = key;
    }
}
