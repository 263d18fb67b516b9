namespace Sgl.Runtime.Entrypoints;

/// <summary>One greedy generation.</summary>
/// <param name="Prompt">The prompt text.</param>
/// <param name="MaxNewTokens">Tokens to generate at most (fewer if the model ends the sequence).</param>
public sealed record GenerationRequest(string Prompt, int MaxNewTokens);
