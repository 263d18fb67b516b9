using System.Numerics.Tensors;
using Sgl.Platforms.Devices;

namespace Sgl.Diffusion.Denoiser;

/// <summary>
/// A tiny denoiser with fixed weights generated from a constant seed (untrained: it shows the pipeline runs for
/// real, not that it draws anything). Its steps run on the device as device operations: each latent cell is lifted
/// to a hidden vector (latent projection + position + timestep embedding), gated by SiLU, all cells attend to each
/// other, and a projection predicts the noise an Euler step removes. Only the step index goes down per step; the
/// latent comes back once at the end and is decoded to RGB on the host.
/// </summary>
internal sealed class TinyDenoiser : IDisposable
{
    private const ulong WeightSeed = 0xD1FF_0001UL;
    private const int Hidden = TinyDenoiserShape.HeadDim;
    private const int Channels = TinyDenoiserShape.LatentChannels;

    private readonly ComputeDevice _device;
    private readonly List<DeviceBuffer> _buffers = [];
    private readonly float[] _toRgb;
    private readonly float[] _rgbBias;
    private readonly float[] _latentWeights;
    private readonly float[] _positionWeights;
    private readonly float[] _timeWeights;
    private readonly float[] _gateUp;
    private readonly float[] _query;
    private readonly float[] _key;
    private readonly float[] _value;
    private readonly float[] _output;

    public TinyDenoiser(ComputeDevice device)
    {
        _device = device;
        var random = new SeededNoise(WeightSeed);
        // Uniform(-a, a) with a = sqrt(3 / fan_in) keeps unit variance through each projection, so twenty
        // steps of an unbounded SiLU-gated network neither vanish nor blow up; the output projection is small.
        _latentWeights = Uniform(ref random, Hidden * Channels, MathF.Sqrt(3f / Channels));
        _positionWeights = Uniform(ref random, Hidden * 2, MathF.Sqrt(3f / 2));
        _timeWeights = Uniform(ref random, Hidden * 2, MathF.Sqrt(3f / 2));
        _gateUp = Uniform(ref random, 2 * Hidden * Hidden, MathF.Sqrt(3f / Hidden));
        _query = Uniform(ref random, Hidden * Hidden, MathF.Sqrt(3f / Hidden));
        _key = Uniform(ref random, Hidden * Hidden, MathF.Sqrt(3f / Hidden));
        _value = Uniform(ref random, Hidden * Hidden, MathF.Sqrt(3f / Hidden));
        _output = Uniform(ref random, Channels * Hidden, 0.5f * MathF.Sqrt(3f / Hidden));
        _toRgb = Uniform(ref random, 3 * Channels, 1.5f);
        _rgbBias = Uniform(ref random, 3, 0.5f);
    }

    /// <summary>Denoises seeded Gaussian noise for <paramref name="steps"/> Euler steps on the device, then decodes it to RGB bytes (row-major, 3 per pixel).</summary>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    /// <param name="steps">Euler steps.</param>
    /// <param name="seed">Seed of the initial noise.</param>
    /// <param name="attention">The attention backend, or null for the device's own operation or the CPU reference.</param>
    public DenoiserRun Generate(int width, int height, int steps, int seed, IAttentionBackend? attention)
    {
        var cellsX = width / TinyDenoiserShape.PatchSize;
        var cellsY = height / TinyDenoiserShape.PatchSize;
        var tokens = cellsX * cellsY;
        var latentValues = new float[tokens * Channels];
        var noise = new SeededNoise(unchecked((ulong)seed));
        for (var i = 0; i < latentValues.Length; i++)
        {
            latentValues[i] = noise.NextGaussian();
        }

        var latent = Upload(latentValues, tokens, Channels);
        var positions = Upload(PositionEmbedding(cellsX, cellsY), tokens, Hidden);
        var times = Upload(TimeEmbedding(steps), steps, Hidden);
        var stepId = Allocate(ElementType.Int32, 1, 1);
        var time = Allocate(ElementType.Float32, 1, Hidden);
        var hidden = Allocate(ElementType.Float32, tokens, Hidden);
        var gateUp = Allocate(ElementType.Float32, tokens, 2 * Hidden);
        var activated = Allocate(ElementType.Float32, tokens, Hidden);
        var q = Allocate(ElementType.Float32, tokens, Hidden);
        var k = Allocate(ElementType.Float32, tokens, Hidden);
        var v = Allocate(ElementType.Float32, tokens, Hidden);
        var attended = Allocate(ElementType.Float32, tokens, Hidden);
        var mixed = Allocate(ElementType.Float32, tokens, Hidden);
        var predicted = Allocate(ElementType.Float32, tokens, Channels);
        var latentWeights = Upload(_latentWeights, Hidden, Channels);
        var gateUpWeights = Upload(_gateUp, 2 * Hidden, Hidden);
        var queryWeights = Upload(_query, Hidden, Hidden);
        var keyWeights = Upload(_key, Hidden, Hidden);
        var valueWeights = Upload(_value, Hidden, Hidden);
        var outputWeights = Upload(_output, Channels, Hidden);

        // Euler step from t to t - 1/steps along the predicted noise, with a little shrinkage.
        var keep = 1f - 0.5f / steps;
        using var program = DeviceProgram.Compile(
            [
                new EmbeddingGatherOperation(times, stepId, time),
                new MatMulOperation(latent, latentWeights, hidden),
                new AddOperation(hidden, positions, hidden),
                new AddOperation(hidden, time, hidden),
                new MatMulOperation(hidden, gateUpWeights, gateUp),
                new SiluMulOperation(gateUp, activated),
                new MatMulOperation(activated, queryWeights, q),
                new MatMulOperation(activated, keyWeights, k),
                new MatMulOperation(activated, valueWeights, v),
                new AttentionOperation(q, k, v, attended, Hidden, 1f / MathF.Sqrt(Hidden)),
                new AddOperation(activated, attended, mixed),
                new MatMulOperation(mixed, outputWeights, predicted),
                new AddOperation(latent, predicted, latent, keep, -keep / steps),
            ],
            new DeviceProgramOptions(_device) { AttentionBackend = attention, Constants = new HashSet<DeviceBuffer>([latentWeights, gateUpWeights, queryWeights, keyWeights, valueWeights, outputWeights, positions, times]) });
        var step = new int[1];
        for (var s = 0; s < steps; s++)
        {
            step[0] = s;
            _device.CopyToDevice<int>(step, stepId);
            program.Run();
        }

        _device.CopyToHost<float>(latent, latentValues);
        var fallbacks = program.Placements.Where(p => p.Where == PlacementKind.CpuFallback).Select(p => p.Operation.Kind.ToString()).Distinct().ToList();
        return new DenoiserRun(Decode(latentValues, cellsX, cellsY, width, height), fallbacks);
    }

    public void Dispose()
    {
        foreach (var buffer in _buffers)
        {
            buffer.Dispose();
        }
    }

    private float[] PositionEmbedding(int cellsX, int cellsY)
    {
        var embedding = new float[cellsX * cellsY * Hidden];
        Span<float> coordinates = stackalloc float[2];
        for (var n = 0; n < cellsX * cellsY; n++)
        {
            coordinates[0] = (n % cellsX + 0.5f) / cellsX * 2 - 1;
            coordinates[1] = (n / cellsX + 0.5f) / cellsY * 2 - 1;
            MatVec(_positionWeights, coordinates, embedding.AsSpan(n * Hidden, Hidden));
        }

        return embedding;
    }

    private float[] TimeEmbedding(int steps)
    {
        var embedding = new float[steps * Hidden];
        Span<float> phase = stackalloc float[2];
        for (var step = 0; step < steps; step++)
        {
            var t = 1f - (float)step / steps;
            phase[0] = MathF.Sin(MathF.PI * t);
            phase[1] = MathF.Cos(MathF.PI * t);
            MatVec(_timeWeights, phase, embedding.AsSpan(step * Hidden, Hidden));
        }

        return embedding;
    }

    private byte[] Decode(float[] latent, int cellsX, int cellsY, int width, int height)
    {
        var rgb = new byte[width * height * 3];
        Span<float> cell = stackalloc float[Channels];
        Span<float> color = stackalloc float[3];
        for (var y = 0; y < height; y++)
        {
            // Bilinear between cell centres, so the image is smooth rather than blocky.
            var fy = Math.Clamp((y + 0.5f) / TinyDenoiserShape.PatchSize - 0.5f, 0, cellsY - 1);
            var y0 = (int)fy;
            var y1 = Math.Min(y0 + 1, cellsY - 1);
            var wy = fy - y0;
            for (var x = 0; x < width; x++)
            {
                var fx = Math.Clamp((x + 0.5f) / TinyDenoiserShape.PatchSize - 0.5f, 0, cellsX - 1);
                var x0 = (int)fx;
                var x1 = Math.Min(x0 + 1, cellsX - 1);
                var wx = fx - x0;
                for (var c = 0; c < Channels; c++)
                {
                    var top = latent[(y0 * cellsX + x0) * Channels + c] * (1 - wx) + latent[(y0 * cellsX + x1) * Channels + c] * wx;
                    var bottom = latent[(y1 * cellsX + x0) * Channels + c] * (1 - wx) + latent[(y1 * cellsX + x1) * Channels + c] * wx;
                    cell[c] = top * (1 - wy) + bottom * wy;
                }

                MatVec(_toRgb, cell, color);
                TensorPrimitives.Add(color, _rgbBias, color);
                TensorPrimitives.Sigmoid(color, color);
                var offset = (y * width + x) * 3;
                for (var c = 0; c < 3; c++)
                {
                    rgb[offset + c] = (byte)Math.Clamp((int)MathF.Round(color[c] * 255f), 0, 255);
                }
            }
        }

        return rgb;
    }

    private DeviceBuffer Allocate(ElementType elementType, int rows, int columns)
    {
        var buffer = _device.Allocate(elementType, new TensorShape(rows, columns));
        _buffers.Add(buffer);
        return buffer;
    }

    private DeviceBuffer Upload(float[] values, int rows, int columns)
    {
        var buffer = Allocate(ElementType.Float32, rows, columns);
        _device.CopyToDevice<float>(values, buffer);
        return buffer;
    }

    private static void MatVec(ReadOnlySpan<float> matrix, ReadOnlySpan<float> x, Span<float> y)
    {
        for (var row = 0; row < y.Length; row++)
        {
            y[row] = TensorPrimitives.Dot(matrix.Slice(row * x.Length, x.Length), x);
        }
    }

    private static float[] Uniform(ref SeededNoise random, int count, float scale)
    {
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.NextSigned() * scale;
        }

        return values;
    }
}

/// <summary>What a denoising run produced.</summary>
/// <param name="Rgb">The image, 3 bytes per pixel, row-major.</param>
/// <param name="Fallbacks">Operation kinds of the step that ran on the CPU reference.</param>
internal sealed record DenoiserRun(byte[] Rgb, IReadOnlyList<string> Fallbacks);
