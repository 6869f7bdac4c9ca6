using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace WageClue.Server.Features.Notifications;

/// <summary>
/// One Polly pipeline for every SMTP call of the process: a timeout per attempt, retries with exponential backoff on
/// network errors and 4xx replies, and a circuit breaker so that while the mail server is down runs fail fast instead
/// of each waiting through its retries. A 5xx reply is final and not retried. Delays use real time on purpose: they
/// are about the network, not about deadlines, so a fake business clock must not freeze them.
/// </summary>
public sealed class SmtpResilience
{
    public ResiliencePipeline Pipeline { get; }

    public SmtpResilience(IOptions<EmailOptions> options, ILogger<SmtpResilience> logger)
    {
        var o = options.Value.Smtp;
        var transient = new PredicateBuilder().Handle<Exception>(IsTransient);
        Pipeline = new ResiliencePipelineBuilder { TimeProvider = TimeProvider.System }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = Math.Max(1, o.Retries),
                Delay = o.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    logger.LogWarning("SMTP attempt {Attempt} failed ({Error}); retrying in {Delay}",
                        args.AttemptNumber + 1, args.Outcome.Exception?.Message, args.RetryDelay);
                    return default;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = 1.0,
                MinimumThroughput = Math.Max(2, o.BreakAfterFailures),
                SamplingDuration = TimeSpan.FromMinutes(1),
                BreakDuration = o.BreakDuration,
                OnOpened = args =>
                {
                    logger.LogError("SMTP server unreachable; no email is tried for {Duration}", args.BreakDuration);
                    return default;
                },
            })
            .AddTimeout(o.AttemptTimeout)
            .Build();
    }

    /// <summary>Worth another try: the network, a timeout, a dropped connection, or a 4xx ("try again later") reply.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        SmtpCommandException c => IsTemporary(c),
        SocketException or IOException or TimeoutRejectedException or ServiceNotConnectedException or SmtpProtocolException => true,
        _ => false,
    };

    public static bool IsTemporary(SmtpCommandException e) => (int)e.StatusCode is >= 400 and < 500;

    public static bool IsPermanent(Exception e) => e is SmtpCommandException c && (int)c.StatusCode >= 500;

    public static bool IsCircuitOpen(Exception e) => e is BrokenCircuitException;
}
