namespace Sgl.Platforms.Contributions;

/// <summary>A composed contribution to the selected platform.</summary>
/// <typeparam name="TPart">The contribution contract.</typeparam>
/// <param name="Name">Its name (an attention backend is offered under it).</param>
/// <param name="Priority">0 fills the platform's gaps; above 0 it is preferred over the platform's own part.</param>
/// <param name="Source">Its assembly and version, for reports.</param>
/// <param name="Part">The constructed part.</param>
public sealed record ContributedPart<TPart>(string Name, int Priority, string Source, TPart Part)
    where TPart : class
{
    /// <summary>True when the contribution is preferred over the platform's own part (priority above 0).</summary>
    public bool IsPreferred => Priority > 0;
}
