using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace WageClue.Server.Tests;

/// <summary>A key-encryption certificate for the Data Protection key ring, as a bureau would keep one: a PFX file outside the database.</summary>
public static class TestCertificate
{
    public const string Password = "keyring-test-pfx";

    private static readonly Lazy<string> File = new(() => Create("CN=wageclue-keyring-test"));

    public static string Path => File.Value;

    public static void Delete()
    {
        if (File.IsValueCreated) System.IO.File.Delete(File.Value);
    }

    public static string Create(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"wageclue-keyring-{Guid.NewGuid():N}.pfx");
        System.IO.File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, Password));
        return path;
    }
}
