using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Npgsql;

namespace WageClue.Server.Features.Accounts;

/// <summary>
/// The Data Protection key ring (it signs every session cookie and bearer token) lives in the database, so that
/// all nodes share it; read access to the database must not mean every session can be forged. Each key is therefore
/// encrypted with a certificate that lives outside PostgreSQL (a PFX file on the node, from the bureau's secret
/// store): `DataProtection:Certificate:Path` and `:Password`. Earlier certificates named in
/// `DataProtection:PreviousCertificates` still decrypt keys they encrypted, so a certificate can be rotated. Outside
/// Development the service refuses to start without one.
/// </summary>
public static class KeyRingProtection
{
    /// <summary>Data Protection as every node (and a tool that reads sealed data) uses it: one application name, the key ring in the database.</summary>
    public static void AddKeyRing(IServiceCollection services, IConfiguration config, bool development)
    {
        Configure(services.AddDataProtection().SetApplicationName("WageClue"), config, development);
        services.AddOptions<KeyManagementOptions>()
            .Configure<NpgsqlDataSource>((o, db) => o.XmlRepository = new DatabaseXmlRepository(db));
    }

    private static void Configure(IDataProtectionBuilder builder, IConfiguration config, bool development)
    {
        var path = config["DataProtection:Certificate:Path"];
        if (string.IsNullOrEmpty(path))
        {
            if (!development)
                throw new InvalidOperationException(
                    "DataProtection:Certificate:Path is not set: outside Development the key ring in the database must be encrypted with a " +
                    "certificate kept outside it (a PFX file; DataProtection:Certificate:Password for its password). See the README, Configuration.");
            return; // a developer's machine: keys unencrypted, as ASP.NET warns at start-up
        }
        var current = Load(path, config["DataProtection:Certificate:Password"], "DataProtection:Certificate:Path");
        var previous = config.GetSection("DataProtection:PreviousCertificates").GetChildren()
            .Select(c => Load(c["Path"] ?? "", c["Password"], $"{c.Path}:Path")).ToArray();
        builder.ProtectKeysWithCertificate(current).UnprotectKeysWithAnyCertificate([current, .. previous]);
    }

    private static X509Certificate2 Load(string path, string? password, string setting)
    {
        if (!File.Exists(path)) throw new InvalidOperationException($"{setting}: the certificate file {path} does not exist.");
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        return certificate.HasPrivateKey ? certificate
            : throw new InvalidOperationException($"{setting}: the certificate {path} has no private key, so it cannot decrypt the key ring.");
    }
}
