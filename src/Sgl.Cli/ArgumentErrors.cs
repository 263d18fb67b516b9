using System.CommandLine;
using System.CommandLine.Parsing;

namespace Sgl.Cli;

/// <summary>
/// Reports what the parser could not accept (an unknown command or option, a value of the wrong type, a missing
/// command) as one line per problem on stderr, with a suggestion for a mistyped name, and exit code 2. It runs
/// before any command's action, so nothing is probed or loaded for a command line that cannot run.
/// </summary>
internal static class ArgumentErrors
{
    /// <summary>Runs the parsed command, or reports its argument errors without running anything.</summary>
    public static async Task<int> InvokeAsync(ParseResult parse, InvocationConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.Errors.Count > 0
            ? Report(parse, configuration?.Error ?? Console.Error)
            : await parse.InvokeAsync(configuration).ConfigureAwait(false);
    }

    /// <summary>Runs the parsed command, or reports its argument errors without running anything.</summary>
    public static int Invoke(ParseResult parse, InvocationConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.Errors.Count > 0 ? Report(parse, configuration?.Error ?? Console.Error) : parse.Invoke(configuration);
    }

    /// <summary>Writes every argument error of <paramref name="parse"/> to <paramref name="error"/> and returns 2.</summary>
    public static int Report(ParseResult parse, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(error);
        var command = parse.CommandResult.Command;
        var path = CommandPath(parse.CommandResult);
        var lines = new List<string>();
        var unmatched = parse.UnmatchedTokens;
        for (var i = 0; i < unmatched.Count; i++)
        {
            var token = unmatched[i];
            if (token.StartsWith('-'))
            {
                lines.Add($"unknown option '{token}' for '{path}'.{Suggest(token, OptionNames(command), OptionElsewhere(parse.RootCommandResult.Command, command, token))}");

                // The value the user meant for the unknown option is not a second problem.
                while (i + 1 < unmatched.Count && !unmatched[i + 1].StartsWith('-'))
                {
                    i++;
                }
            }
            else if (command.Subcommands.Count > 0)
            {
                lines.Add($"unknown command '{token}' for '{path}'.{Suggest(token, CommandNames(command), null)} Commands: {string.Join(", ", CommandNames(command))}.");
            }
            else
            {
                lines.Add($"unexpected argument '{token}' for '{path}', which takes none there.");
            }
        }

        foreach (var parseError in parse.Errors)
        {
            if (unmatched.Any(t => parseError.Message.Contains($"'{t}'", StringComparison.Ordinal)))
            {
                continue; // already reported above, with a suggestion
            }

            if (parseError.SymbolResult is CommandResult { Command.Subcommands.Count: > 0 } missing && missing.Command.Action is null)
            {
                if (unmatched.Count == 0)
                {
                    lines.Add($"'{CommandPath(missing)}' needs a command: {string.Join(", ", CommandNames(missing.Command))}.");
                }

                continue;
            }

            lines.Add(ValueError(parseError) ?? parseError.Message);
        }

        foreach (var line in lines.Distinct())
        {
            error.WriteLine($"error: {line}");
        }

        error.WriteLine($"Run '{path} --help' for usage.");
        return ExitCodes.InvalidInput;
    }

    /// <summary>The parser's message for a value of the wrong type names a .NET type; this one names what to type.</summary>
    private static string? ValueError(ParseError parseError)
    {
        var (option, argument) = parseError.SymbolResult switch
        {
            OptionResult o => (o.Option, (ArgumentResult?)null),
            ArgumentResult { Parent: OptionResult o } a => (o.Option, a),
            _ => (null, null),
        };
        if (option is null || !parseError.Message.Contains("as expected type", StringComparison.Ordinal))
        {
            return null;
        }

        var given = (argument?.Tokens ?? parseError.SymbolResult!.Tokens).Select(t => t.Value).FirstOrDefault();
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        var expected = type == typeof(int) || type == typeof(long) ? "a whole number"
            : type == typeof(double) || type == typeof(float) ? "a number such as 0.5"
            : type == typeof(bool) ? "true or false"
            : type.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(type))}"
            : $"a {type.Name} value";
        return $"{option.Name} takes {expected}; got '{given}'.";
    }

    private static string Suggest(string token, IEnumerable<string> names, string? elsewhere)
    {
        var best = Closest(token, names);
        return best is not null ? $" Did you mean '{best}'?" : elsewhere is not null ? $" '{token}' is an option of '{elsewhere}'." : "";
    }

    /// <summary>The name nearest to <paramref name="token"/> by edit distance, if it is near enough to be a typo.</summary>
    internal static string? Closest(string token, IEnumerable<string> names)
    {
        var bare = token.TrimStart('-');
        var ranked = names
            .Select(name => (Name: name, Distance: EditDistance(bare, name.TrimStart('-'))))
            .OrderBy(n => n.Distance)
            .ThenBy(n => n.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        return ranked.Name is not null && ranked.Distance <= Math.Max(2, bare.Length / 3) ? ranked.Name : null;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours each cost one.</summary>
    internal static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    private static IEnumerable<string> OptionNames(Command command) =>
        command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal));

    private static IEnumerable<string> CommandNames(Command command) =>
        command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name);

    /// <summary>Another command that has exactly this option, for <c>sgl --tp-size 2</c> and the like.</summary>
    private static string? OptionElsewhere(Command root, Command current, string token)
    {
        var queue = new Queue<(Command Command, string Path)>([(root, "sgl")]);
        while (queue.Count > 0)
        {
            var (command, path) = queue.Dequeue();
            if (command != current && OptionNames(command).Contains(token, StringComparer.Ordinal))
            {
                return path;
            }

            foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
            {
                queue.Enqueue((sub, $"{path} {sub.Name}"));
            }
        }

        return null;
    }

    /// <summary>The command as the user types it, <c>sgl platforms list</c>, whatever the executable is called.</summary>
    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is CommandResult c)
            {
                names.Add(c.Parent is null ? "sgl" : c.Command.Name);
            }
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
