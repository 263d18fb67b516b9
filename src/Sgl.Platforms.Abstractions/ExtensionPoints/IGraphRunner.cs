namespace Sgl.Platforms.ExtensionPoints;

/// <summary>
/// Runs a forward step, either eagerly or by replaying a captured graph. The type returned by
/// <see cref="Platform.GetGraphRunnerType"/> must have a public parameterless constructor.
/// </summary>
public interface IGraphRunner
{
    /// <summary>A short name shown in the launch plan (for example <c>eager</c>).</summary>
    string Name { get; }

    /// <summary>Runs <paramref name="forward"/> for a batch of <paramref name="batchSize"/> sequences.</summary>
    /// <typeparam name="T">The step's result.</typeparam>
    /// <param name="batchSize">Sequences in the batch.</param>
    /// <param name="forward">The forward step.</param>
    T Run<T>(int batchSize, Func<T> forward);
}
