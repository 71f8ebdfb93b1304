namespace Pipeline.Core.RecordIO.Internal;

/// <summary>The numbers that define dmlc-core's RecordIO framing.</summary>
internal static class RecordIOConstants
{
    /// <summary>The magic word that starts every part; the bytes <c>0A 23 D7 CE</c> on disk.</summary>
    public const uint Magic = 0xCED7230A;

    /// <summary>The size of a part header: the magic word and the <c>cflag &lt;&lt; 29 | length</c> word.</summary>
    public const int HeaderSize = 8;

    /// <summary>The largest record dmlc-core's writer accepts (it checks <c>size &lt; 1 &lt;&lt; 29</c>).</summary>
    public const int MaxRecordLength = (1 << 29) - 1;

    /// <summary>The mask of the length bits in an lrecord word.</summary>
    public const uint LengthMask = (1u << 29) - 1;

    /// <summary>The magic word as it reads from memory in this machine's byte order.</summary>
    public static readonly uint MagicNative = BitConverter.IsLittleEndian ? Magic : System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(Magic);

    /// <summary>The part kinds stored in the top three bits of the lrecord word.</summary>
    public const uint FlagWhole = 0;

    /// <summary>First part of a record the writer split at an aligned magic word.</summary>
    public const uint FlagFirst = 1;

    /// <summary>Middle part of a split record.</summary>
    public const uint FlagMiddle = 2;

    /// <summary>Last part of a split record.</summary>
    public const uint FlagLast = 3;

    public static int PaddedLength(uint length) => (int)((length + 3) & ~3u);

    public static uint EncodeLrec(uint cflag, int length) => (cflag << 29) | (uint)length;
}
