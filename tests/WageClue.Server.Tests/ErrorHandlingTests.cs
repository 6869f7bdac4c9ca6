using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WageClue.Server.Tests;

public class ErrorHandlingTests
{
    [TestCase("Production", false)]
    [TestCase("Development", true)]
    public async Task An_unhandled_exception_is_logged_and_answered_with_a_500_problem(string environment, bool detailsShown)
    {
        var logs = new CapturingLoggerProvider();
        await using var app = new WageClueApp(TestHost.ConnectionString);
        using var configured = app.WithWebHostBuilder(b =>
        {
            b.UseEnvironment(environment);
            b.ConfigureLogging(l => l.AddProvider(logs));
            b.ConfigureTestServices(s => s.AddTransient<IStartupFilter, ThrowingStartupFilter>());
        });

        var response = await configured.CreateClient().GetAsync("/boom");
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(body.Contains("the database fell over", StringComparison.Ordinal), Is.EqualTo(detailsShown), body);
        Assert.That(logs.Messages.Any(m => m.Contains("the database fell over", StringComparison.Ordinal)), Is.True, "the exception is logged for operators");
    }

    private sealed class ThrowingStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Use((HttpContext context, RequestDelegate nextDelegate) =>
                context.Request.Path == "/boom" ? throw new InvalidOperationException("the database fell over") : nextDelegate(context));
        };
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(Messages);

        public void Dispose() { }

        private sealed class Logger(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) messages.Enqueue(formatter(state, exception) + " " + exception);
            }
        }
    }
}
