using Microsoft.Extensions.Logging;

namespace Sgl.Platforms;

/// <summary>
/// The logger <see cref="CurrentPlatform"/> uses when no host supplies one: one line per message on
/// standard error, Information and above, so the selection line is seen without any logging setup.
/// </summary>
internal sealed class StandardErrorLogger : ILogger
{
    public static StandardErrorLogger Instance { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var level = logLevel switch
        {
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };
        Console.Error.WriteLine($"{level}: Sgl.Platforms: {formatter(state, exception)}");
    }
}
