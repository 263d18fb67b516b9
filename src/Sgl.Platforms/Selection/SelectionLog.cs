using Microsoft.Extensions.Logging;

namespace Sgl.Platforms.Selection;

/// <summary>The selection's log lines.</summary>
internal static partial class SelectionLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Platform '{Platform}' selected ({Why}); {Devices}other candidates: {Others}")]
    public static partial void Selected(ILogger logger, string platform, string why, string devices, string others);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "No platform selected: {Error}")]
    public static partial void SelectionFailed(ILogger logger, string error);
}
