using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Sgl.Diffusion.Png;

namespace Sgl.Diffusion.Tests;

public sealed class PngTests
{
    [Fact]
    public void Crc32_matches_the_standard_check_value()
    {
        Crc32.Compute("123456789"u8).Should().Be(0xCBF43926u);
    }

    [Fact]
    public void Encoded_png_has_the_signature_valid_chunks_and_the_pixels()
    {
        var rgb = Enumerable.Range(0, 5 * 3 * 3).Select(i => (byte)(i * 7)).ToArray();

        var png = PngEncoder.Encode(5, 3, rgb);

        var image = PngFile.Read(png);
        image.Width.Should().Be(5);
        image.Height.Should().Be(3);
        image.Rgb.Should().Equal(rgb);
    }
}

/// <summary>A minimal PNG reader for 8-bit RGB with filter 0, checking the signature, chunk CRCs and IHDR.</summary>
internal sealed record PngFile(int Width, int Height, byte[] Rgb)
{
    public static PngFile Read(byte[] png)
    {
        png.AsSpan(0, 8).ToArray().Should().Equal(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);
        var offset = 8;
        int width = 0, height = 0;
        using var idat = new MemoryStream();
        var types = new List<string>();
        while (offset < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            var type = Encoding.ASCII.GetString(png, offset + 4, 4);
            var data = png.AsSpan(offset + 8, length);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length));
            Crc32.Compute(png.AsSpan(offset + 4, 4 + length)).Should().Be(crc, $"chunk {type} must carry a valid CRC");
            types.Add(type);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                data[8..].ToArray().Should().Equal(8, 2, 0, 0, 0);
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }

            offset += 12 + length;
        }

        types.Should().StartWith("IHDR").And.EndWith("IEND");
        idat.Position = 0;
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        zlib.CopyTo(raw);
        var bytes = raw.ToArray();
        bytes.Should().HaveCount(height * (1 + width * 3));
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            bytes[y * (1 + width * 3)].Should().Be(0, "every scanline uses filter None");
            Array.Copy(bytes, y * (1 + width * 3) + 1, rgb, y * width * 3, width * 3);
        }

        return new PngFile(width, height, rgb);
    }
}
