using Microsoft.AspNetCore.Identity;

namespace WageClue.Server.Features.Accounts;

/// <summary>
/// ASP.NET Core Identity's PBKDF2 hasher (HMAC-SHA512) at the iteration count OWASP recommends for it (210 000),
/// about twice Identity's default of 100 000. Hashes made with fewer iterations are upgraded at the next login.
/// </summary>
public sealed class Passwords(IPasswordHasher<UserRow> hasher)
{
    public const int IterationCount = 210_000;

    // Verifying against this when the user does not exist keeps the response time the same, so it reveals nothing.
    private readonly Lazy<string> _dummyHash = new(() => hasher.HashPassword(new UserRow(), Guid.NewGuid().ToString()));

    public string Hash(string password) => hasher.HashPassword(new UserRow(), password);

    public PasswordVerificationResult Verify(UserRow? user, string password)
    {
        if (user == null)
        {
            hasher.VerifyHashedPassword(new UserRow(), _dummyHash.Value, password);
            return PasswordVerificationResult.Failed;
        }
        return hasher.VerifyHashedPassword(user, user.PasswordHash, password);
    }
}
