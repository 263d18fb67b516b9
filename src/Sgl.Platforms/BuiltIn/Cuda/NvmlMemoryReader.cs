namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>Reads a GPU's free memory through NVML, which needs no CUDA context.</summary>
internal static class NvmlMemoryReader
{
    /// <summary>The free bytes of the GPU with <paramref name="uuid"/>, or null when NVML cannot say.</summary>
    /// <param name="nvmlLibrary">The NVML library name or path.</param>
    /// <param name="uuid">The GPU's UUID as the probe reported it.</param>
    public static long? ReadFree(string nvmlLibrary, string? uuid)
    {
        if (uuid is null || !Nvml.TryLoad(nvmlLibrary, out var nvml, out _))
        {
            return null;
        }

        using (nvml)
        {
            if (nvml.Initialize() != Nvml.Success || nvml.GetDeviceCount(out var count) != Nvml.Success)
            {
                return null;
            }

            for (var i = 0; i < count; i++)
            {
                if (nvml.GetDeviceHandle(i, out var handle) == Nvml.Success
                    && nvml.GetUuid(handle, out var candidate) == Nvml.Success
                    && string.Equals(candidate, uuid, StringComparison.OrdinalIgnoreCase)
                    && nvml.GetMemoryInfo(handle, out var memory) == Nvml.Success)
                {
                    return (long)memory.Free;
                }
            }

            return null;
        }
    }
}
