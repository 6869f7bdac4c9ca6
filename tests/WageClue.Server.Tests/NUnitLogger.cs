using Microsoft.Extensions.Logging;

namespace WageClue.Server.Tests;

/// <summary>Shows the server's warnings and errors in the test output, so a 500 in a test comes with its exception.</summary>
public sealed class NUnitLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName);

    public void Dispose() { }

    private sealed class Logger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            TestContext.Progress.WriteLine($"[server {logLevel}] {category}: {formatter(state, exception)}{(exception == null ? "" : Environment.NewLine + exception)}");
        }
    }
}
