namespace Pipeline.Core;

/// <summary>A RecordIO file, its <c>.idx</c> index or a record payload is malformed.</summary>
/// <remarks>The message names the file and the byte offset (or the record key) where the problem was found. Other data files (CSV, MNIST, image lists, mean images) raise <see cref="DataFormatException"/>.</remarks>
public class RecordFormatException : PipelineException
{
    /// <summary>Initializes a new instance with no message.</summary>
    public RecordFormatException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What was expected, what was found and where.</param>
    public RecordFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the error that caused it.</summary>
    /// <param name="message">What was expected, what was found and where.</param>
    /// <param name="innerException">The underlying error.</param>
    public RecordFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance that names where the problem is.</summary>
    /// <param name="message">What was expected, what was found and where.</param>
    /// <param name="filePath">The file, or <see langword="null"/> for an unnamed stream.</param>
    /// <param name="offset">The byte offset, or <see langword="null"/> when unknown.</param>
    /// <param name="recordKey">The record key, or <see langword="null"/> when not read by key.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public RecordFormatException(string message, string? filePath, long? offset, string? recordKey = null, Exception? innerException = null)
        : base(message, innerException!)
    {
        FilePath = filePath;
        Offset = offset;
        RecordKey = recordKey;
    }

    /// <summary>Gets the file the problem is in, or <see langword="null"/> for an unnamed stream.</summary>
    public string? FilePath { get; }

    /// <summary>Gets the byte offset of the problem, or <see langword="null"/> when unknown.</summary>
    public long? Offset { get; }

    /// <summary>Gets the key of the record, or <see langword="null"/> when it was not read by key.</summary>
    public string? RecordKey { get; }
}
