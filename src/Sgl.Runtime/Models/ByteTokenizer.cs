using System.Text;

namespace Sgl.Runtime.Models;

/// <summary>A byte-level tokenizer: ids 0-255 are UTF-8 bytes, then the special tokens.</summary>
internal static class ByteTokenizer
{
    public const int BeginOfSequence = 256;
    public const int EndOfSequence = 257;
    public const int VocabSize = 258;

    /// <summary>The prompt as token ids, beginning with <see cref="BeginOfSequence"/>.</summary>
    public static int[] Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var ids = new int[bytes.Length + 1];
        ids[0] = BeginOfSequence;
        for (var i = 0; i < bytes.Length; i++)
        {
            ids[i + 1] = bytes[i];
        }

        return ids;
    }

    /// <summary>The text of byte tokens; special tokens are dropped and invalid UTF-8 becomes U+FFFD.</summary>
    public static string Decode(IEnumerable<int> ids) =>
        Encoding.UTF8.GetString(ids.Where(id => id is >= 0 and < 256).Select(id => (byte)id).ToArray());
}
