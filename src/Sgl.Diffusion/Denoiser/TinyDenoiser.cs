using System.Numerics.Tensors;
using Sgl.Diffusion.Attention;

namespace Sgl.Diffusion.Denoiser;

/// <summary>
/// A tiny denoiser with fixed weights generated from a constant seed (untrained: it shows the pipeline runs
/// for real, not that it draws anything). Each latent cell is lifted to a feature vector, all cells attend to
/// each other through the chosen attention backend, and a projection predicts the noise to remove.
/// </summary>
internal sealed class TinyDenoiser
{
    private const ulong WeightSeed = 0xD1FF_0001UL;
    private const int Hidden = TinyDenoiserShape.HeadDim;
    private const int Channels = TinyDenoiserShape.LatentChannels;
    private const int Features = TinyDenoiserShape.InputFeatures;

    private readonly float[] _input;
    private readonly float[] _query;
    private readonly float[] _key;
    private readonly float[] _value;
    private readonly float[] _output;
    private readonly float[] _toRgb;
    private readonly float[] _rgbBias;
    private readonly IDiffusionAttention _attention;

    public TinyDenoiser(IDiffusionAttention attention)
    {
        _attention = attention;
        var random = new SeededNoise(WeightSeed);
        _input = Uniform(ref random, Hidden * Features, 1.5f);
        _query = Uniform(ref random, Hidden * Hidden, 1.5f);
        _key = Uniform(ref random, Hidden * Hidden, 1.5f);
        _value = Uniform(ref random, Hidden * Hidden, 0.5f);
        _output = Uniform(ref random, Channels * Hidden, 0.5f);
        _toRgb = Uniform(ref random, 3 * Channels, 1.5f);
        _rgbBias = Uniform(ref random, 3, 0.5f);
    }

    /// <summary>Denoises seeded Gaussian noise for <paramref name="steps"/> Euler steps and decodes it to RGB bytes (row-major, 3 per pixel).</summary>
    public byte[] Generate(int width, int height, int steps, int seed)
    {
        var cellsX = width / TinyDenoiserShape.PatchSize;
        var cellsY = height / TinyDenoiserShape.PatchSize;
        var tokens = cellsX * cellsY;
        var latent = new float[tokens * Channels];
        var noise = new SeededNoise(unchecked((ulong)seed));
        for (var i = 0; i < latent.Length; i++)
        {
            latent[i] = noise.NextGaussian();
        }

        var hidden = new float[tokens * Hidden];
        var q = new float[tokens * Hidden];
        var k = new float[tokens * Hidden];
        var v = new float[tokens * Hidden];
        var attended = new float[tokens * Hidden];
        var predicted = new float[tokens * Channels];
        var features = new float[Features];
        for (var step = 0; step < steps; step++)
        {
            var t = 1f - (float)step / steps;
            for (var n = 0; n < tokens; n++)
            {
                latent.AsSpan(n * Channels, Channels).CopyTo(features);
                features[Channels] = MathF.Sin(MathF.PI * t);
                features[Channels + 1] = MathF.Cos(MathF.PI * t);
                features[Channels + 2] = (n % cellsX + 0.5f) / cellsX * 2 - 1;
                features[Channels + 3] = (n / cellsX + 0.5f) / cellsY * 2 - 1;
                var h = hidden.AsSpan(n * Hidden, Hidden);
                MatVec(_input, features, h);
                TensorPrimitives.Tanh(h, h);
                MatVec(_query, h, q.AsSpan(n * Hidden, Hidden));
                MatVec(_key, h, k.AsSpan(n * Hidden, Hidden));
                MatVec(_value, h, v.AsSpan(n * Hidden, Hidden));
            }

            _attention.Attend(q, k, v, tokens, Hidden, attended);
            TensorPrimitives.Add(hidden, attended, hidden);
            for (var n = 0; n < tokens; n++)
            {
                MatVec(_output, hidden.AsSpan(n * Hidden, Hidden), predicted.AsSpan(n * Channels, Channels));
            }

            // Euler step from t to t - 1/steps along the predicted noise direction.
            TensorPrimitives.MultiplyAdd(predicted, -1f / steps, latent, latent);
            TensorPrimitives.Multiply(latent, 1f - 0.5f / steps, latent);
        }

        return Decode(latent, cellsX, cellsY, width, height);
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
