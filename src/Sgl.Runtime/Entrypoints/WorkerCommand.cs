namespace Sgl.Runtime.Entrypoints;

/// <summary>How the launcher starts a worker process: an executable and the arguments before the worker's own (for example <c>dotnet sgl.dll</c>).</summary>
/// <param name="FileName">The executable.</param>
/// <param name="LeadingArguments">Arguments that come first, before the worker verb.</param>
public sealed record WorkerCommand(string FileName, IReadOnlyList<string> LeadingArguments);
