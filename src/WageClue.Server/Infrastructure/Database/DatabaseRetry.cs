using Npgsql;
using Polly;
using Polly.Retry;

namespace WageClue.Server.Infrastructure.Database;

/// <summary>
/// Retries a job's unit of work (one transaction, one statement) at once when PostgreSQL fails it transiently: a
/// pooled connection whose server process was terminated (57P01), a restart (57P03), a dropped socket. Without it a
/// dead pooled connection failed the next send run and sweep, each costing a whole minute until the next run. Four
/// tries over about three seconds; a database down for longer fails the run, and the next minute's run goes on.
/// Only for work that is safe to repeat: a transaction that did not commit, or a statement whose effect is idempotent.
/// </summary>
public static class DatabaseRetry
{
    public static readonly ResiliencePipeline Pipeline = new ResiliencePipelineBuilder { TimeProvider = TimeProvider.System }
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>(e => e.IsTransient),
            MaxRetryAttempts = 4,
            Delay = TimeSpan.FromMilliseconds(200),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        })
        .Build();

    public static ValueTask<T> RunAsync<T>(Func<CancellationToken, ValueTask<T>> work, CancellationToken cancel = default) =>
        Pipeline.ExecuteAsync(work, cancel);

    public static ValueTask RunAsync(Func<CancellationToken, ValueTask> work, CancellationToken cancel = default) =>
        Pipeline.ExecuteAsync(work, cancel);
}
