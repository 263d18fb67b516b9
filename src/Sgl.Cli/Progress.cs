namespace Sgl.Cli;

/// <summary>
/// One-line notes on stderr for waits a person would otherwise sit through in silence ("probing platforms…").
/// Only a terminal gets them: a pipe, a file or a test's writer stays exactly the command's output.
/// </summary>
internal sealed class Progress
{
    private readonly TextWriter? _writer;

    private Progress(TextWriter? writer) => _writer = writer;

    public static Progress For(TextWriter error) => new(error == Console.Error && !Console.IsErrorRedirected ? error : null);

    public void Say(string what) => _writer?.WriteLine($"sgl: {what}");
}
