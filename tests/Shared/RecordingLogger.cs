using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Baton.Shared;

/// <summary>One line a <see cref="RecordingLogger"/> kept.</summary>
public sealed record LogRecord(LogLevel Level, int EventId, string Message, Exception? Exception);

/// <summary>Keeps every line logged to it, to check what operators are told.</summary>
public sealed class RecordingLogger : ILogger
{
    public ConcurrentQueue<LogRecord> Records { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Records.Enqueue(new LogRecord(logLevel, eventId.Id, formatter(state, exception), exception));

    /// <summary>Waits until a line with <paramref name="eventId"/> was logged, or fails after <paramref name="timeout"/>.</summary>
    public async Task<LogRecord> WaitForAsync(int eventId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Records.FirstOrDefault(r => r.EventId == eventId) is { } record) return record;
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No log line with event {eventId} within {timeout}; got: {string.Join(" | ", Records.Select(r => $"{r.EventId} {r.Message}"))}");
            }
            await Task.Delay(10);
        }
    }

    /// <summary>A provider that hands this logger out for <paramref name="category"/> only, so that other components stay out.</summary>
    public ILoggerProvider ProviderFor(string category) => new Provider(this, category);

    private sealed class Provider(RecordingLogger logger, string category) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => categoryName == category ? logger : NullLogger.Instance;

        public void Dispose()
        {
        }
    }
}
