namespace Sgl.Runtime.Entrypoints;

/// <summary>One greedy generation.</summary>
/// <param name="Prompt">The prompt text.</param>
/// <param name="MaxNewTokens">Tokens to generate at most (fewer if the model ends the sequence).</param>
public sealed record GenerationRequest(string Prompt, int MaxNewTokens)
{
    /// <summary>
    /// When true, the result carries the logits the prefill produced (the distribution of the first generated token),
    /// copied to the host once after the prefill, for comparing platforms and element types.
    /// </summary>
    public bool ReturnPrefillLogits { get; init; }
}
