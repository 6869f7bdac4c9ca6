using Dapper;
using DbUp;
using DbUp.Engine.Output;
using Npgsql;
using Polly;
using Polly.Retry;
using WageClue.Server.Features.Privacy;

namespace WageClue.Server.Infrastructure.Database;

public static class DatabaseSetup
{
    public const string Schema = "wageclue";

    public static IServiceCollection AddDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("WageClue");
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException("ConnectionStrings:WageClue is not set. Set it in configuration or the environment variable ConnectionStrings__WageClue.");
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        services.AddSingleton(NpgsqlDataSource.Create(ServiceConnectionString(connectionString)));
        services.AddHealthChecks().AddNpgSql(sp => sp.GetRequiredService<NpgsqlDataSource>(), name: "database");
        return services;
    }

    /// <summary>
    /// The connection string the service uses: parallel query off. Its reads are short index reads, and the benchmark
    /// found the planner starting parallel workers for the overdue count at a million clues (an estimate of 147 470
    /// rows for 1 970, because due_at's histogram covers every clock while the partial index holds only open ones):
    /// 27-50 ms instead of 0.5 ms. The summaries' rebuild, which does aggregate millions of rows, turns it back on for
    /// its own transaction (StatsRefresh). JIT compilation is off too: it is for long analytic queries, and the
    /// benchmark saw it add 25 ms of compiling to a 70 ms search at a million clues.
    /// </summary>
    public static string ServiceConnectionString(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Options?.Contains("max_parallel_workers_per_gather", StringComparison.Ordinal) != true)
            builder.Options = $"{builder.Options} -c max_parallel_workers_per_gather=0".Trim();
        if (builder.Options?.Contains("jit=", StringComparison.Ordinal) != true)
            builder.Options = $"{builder.Options} -c jit=off".Trim();
        return builder.ConnectionString;
    }

    /// <summary>
    /// Applies the numbered scripts in Migrations/ with DbUp. Several servers may start at once: a session advisory
    /// lock makes the others wait, then find nothing left to do. Retries while the database is still starting.
    /// One migration is code (0015, it seals personal data with the key ring): DbUp runs it in order by its name.
    /// </summary>
    public static async Task MigrateAsync(NpgsqlDataSource dataSource, PersonalData pii, ILogger logger, CancellationToken ct = default)
    {
        var retry = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>(e => e.IsTransient),
            MaxRetryAttempts = 10,
            Delay = TimeSpan.FromSeconds(1),
            OnRetry = args =>
            {
                logger.LogWarning("Database not reachable yet ({Message}); retry {Attempt}", args.Outcome.Exception?.Message, args.AttemptNumber + 1);
                return ValueTask.CompletedTask;
            },
        }).Build();

        await using var lockConnection = await retry.ExecuteAsync(async token => await dataSource.OpenConnectionAsync(token), ct);
        await lockConnection.ExecuteAsync("SELECT pg_advisory_lock(hashtext('wageclue.migrations'))");
        try
        {
            await lockConnection.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {Schema}");
            var upgrader = DeployChanges.To
                .PostgresqlDatabase(dataSource.ConnectionString)
                .WithScriptsEmbeddedInAssembly(typeof(DatabaseSetup).Assembly, name => name.Contains(".Migrations.", StringComparison.Ordinal))
                .WithScript(SealComplainants.Name, new SealComplainants(pii))
                // A bureau's existing table sealed row by row, and indexes built on millions of rows, take longer than DbUp's default 30 s.
                .WithExecutionTimeout(TimeSpan.FromHours(1))
                .JournalToPostgresqlTable(Schema, "schema_versions")
                .WithTransactionPerScript()
                .LogTo(new DbUpLogger(logger))
                .Build();
            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
                throw new InvalidOperationException($"Database migration failed in {result.ErrorScript?.Name}: {result.Error.Message}", result.Error);
        }
        finally
        {
            await lockConnection.ExecuteAsync("SELECT pg_advisory_unlock(hashtext('wageclue.migrations'))");
        }
        // Search by part of an employer's name rides pg_trgm, which makes trigrams of Chinese only under a UTF-8
        // character type; under lc_ctype C the answers stay right but every such search reads the whole index.
        if (await lockConnection.ExecuteScalarAsync<bool>("SELECT show_trgm('淄博华信') = '{}'::text[]"))
            logger.LogWarning("This database's character type ({CType}) gives pg_trgm no trigrams of Chinese text: searching by part of an employer's name will be slow. Create the database with LC_CTYPE C.UTF-8 or zh_CN.UTF-8.",
                await lockConnection.ExecuteScalarAsync<string>("SELECT datctype FROM pg_database WHERE datname = current_database()"));
    }

    private sealed class DbUpLogger(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }
        public void LogDebug(string format, params object[] args) { }
        public void LogInformation(string format, params object[] args) => logger.LogInformation("{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        public void LogWarning(string format, params object[] args) => logger.LogWarning("{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        public void LogError(string format, params object[] args) => logger.LogError("{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        public void LogError(Exception ex, string format, params object[] args) => logger.LogError(ex, "{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
    }
}
