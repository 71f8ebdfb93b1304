using System.Globalization;
using System.Text;

namespace Pipeline.Samples;

/// <summary>Formats values the way the Python tutorial prints them, so the two can be compared line by line.</summary>
internal static class PythonRepr
{
    /// <summary>Python 3's <c>repr(bytes)</c>: <c>b'\x00\x00\x80?data'</c>.</summary>
    public static string Bytes(ReadOnlySpan<byte> bytes)
    {
        var builder = new StringBuilder("b'");
        foreach (byte b in bytes)
        {
            builder.Append(b switch
            {
                (byte)'\\' => "\\\\",
                (byte)'\'' => "\\'",
                (byte)'\t' => "\\t",
                (byte)'\n' => "\\n",
                (byte)'\r' => "\\r",
                >= 0x20 and < 0x7F => ((char)b).ToString(),
                _ => string.Create(CultureInfo.InvariantCulture, $"\\x{b:x2}"),
            });
        }

        return builder.Append('\'').ToString();
    }

    /// <summary>Python's <c>repr(float)</c> for a float32 widened to double, as NumPy prints it.</summary>
    public static string Float(float value) => ((double)value).ToString("0.0###############", CultureInfo.InvariantCulture);
}
