namespace WageClue.Server.Features.Accounts;

/// <summary>
/// <c>WageClue.Server create-admin --username NAME [--display-name NAME] [--email ADDRESS]</c>: creates an administrator
/// on a new deployment. The password comes from WAGECLUE_ADMIN_PASSWORD or is asked for on the terminal, never from
/// the command line (it would stay in the shell history and the process list).
/// </summary>
public static class CreateAdminCommand
{
    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        string? Option(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
        var username = Option("--username");
        if (username == null)
        {
            await Console.Error.WriteLineAsync("usage: create-admin --username NAME [--display-name NAME] [--email ADDRESS]");
            return 2;
        }
        var password = Environment.GetEnvironmentVariable("WAGECLUE_ADMIN_PASSWORD") ?? ReadPassword();
        if (PasswordRules.Problem(password, username) is { } problem)
        {
            await Console.Error.WriteLineAsync($"create-admin: {problem} (at least {PasswordRules.MinimumLength} characters, not a common or patterned password)");
            return 2;
        }
        using var scope = services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserRepository>();
        var passwords = scope.ServiceProvider.GetRequiredService<Passwords>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        var id = await users.CreateAsync(new NewUser(username, Option("--display-name") ?? "系统管理员", Option("--email"),
            WageClue.Workflows.Definitions.Roles.Admin, [], passwords.Hash(password!)), now);
        if (id == null)
        {
            await Console.Error.WriteLineAsync($"create-admin: a user named '{username}' already exists; nothing changed.");
            return 1;
        }
        Console.WriteLine($"Administrator '{username}' created (id {id}).");
        return 0;
    }

    private static string? ReadPassword()
    {
        if (Console.IsInputRedirected) return Console.ReadLine();
        Console.Write("Password for the new administrator: ");
        var chars = new List<char>();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace && chars.Count > 0) chars.RemoveAt(chars.Count - 1);
            else if (!char.IsControl(key.KeyChar)) chars.Add(key.KeyChar);
        }
        Console.WriteLine();
        return new string(chars.ToArray());
    }
}
