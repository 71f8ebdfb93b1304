using System.Globalization;
using System.Text;

namespace Pipeline.Core;

/// <summary>Quotes untrusted input (a line of an index, a CSV field) in an error message, at most <see cref="MaxChars"/> characters of it.</summary>
/// <remarks>A 50 MB line must not become a 50-million-character message: the start is enough to recognise it, and the length says the rest.</remarks>
internal static class InputQuote
{
    /// <summary>The most characters of the input a message quotes.</summary>
    public const int MaxChars = 100;

    /// <summary>Returns the text, or its first <see cref="MaxChars"/> characters followed by how long it was.</summary>
    /// <param name="text">The input.</param>
    /// <returns>The text to put between quotes.</returns>
    public static string Of(ReadOnlySpan<char> text) =>
        text.Length <= MaxChars
            ? text.ToString()
            : string.Create(CultureInfo.InvariantCulture, $"{text[..MaxChars]}... ({text.Length} characters)");

    /// <summary>Returns UTF-8 input as text, or the text of its first <see cref="MaxChars"/> bytes followed by how long it was.</summary>
    /// <param name="utf8">The input bytes.</param>
    /// <returns>The text to put between quotes.</returns>
    public static string Of(ReadOnlySpan<byte> utf8) =>
        utf8.Length <= MaxChars
            ? Encoding.UTF8.GetString(utf8)
            : string.Create(CultureInfo.InvariantCulture, $"{Encoding.UTF8.GetString(utf8[..MaxChars])}... ({utf8.Length} bytes)");
}
