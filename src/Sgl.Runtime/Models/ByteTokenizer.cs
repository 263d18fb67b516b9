using System.Text;

namespace Sgl.Runtime.Models;

/// <summary>The embedded models' byte-level tokenizer: ids 0-255 are UTF-8 bytes, then the special tokens.</summary>
public static class ByteTokenizer
{
    /// <summary>The begin-of-sequence token, put before every prompt.</summary>
    public const int BeginOfSequence = 256;

    /// <summary>The end-of-sequence token: generation stops when the model produces it.</summary>
    public const int EndOfSequence = 257;

    /// <summary>The byte tokens and the two special tokens.</summary>
    public const int VocabSize = 258;

    /// <summary>The name of a token that is not a byte: <c>&lt;bos&gt;</c>, <c>&lt;eos&gt;</c>, or <c>&lt;id&gt;</c> for ids beyond this vocabulary (the benchmark model's); null for a byte.</summary>
    /// <param name="id">A token id.</param>
    public static string? SpecialTokenName(int id) => id switch
    {
        >= 0 and < 256 => null,
        BeginOfSequence => "<bos>",
        EndOfSequence => "<eos>",
        _ => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"<{id}>"),
    };

    /// <summary>The prompt as token ids, beginning with <see cref="BeginOfSequence"/>.</summary>
    /// <param name="text">The prompt.</param>
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
    /// <param name="ids">Token ids.</param>
    public static string Decode(IEnumerable<int> ids) =>
        Encoding.UTF8.GetString(ids.Where(id => id is >= 0 and < 256).Select(id => (byte)id).ToArray());
}
