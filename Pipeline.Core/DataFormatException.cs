namespace Pipeline.Core;

/// <summary>A data file other than a record file is malformed: a CSV file, an MNIST IDX file, an image list (<c>.lst</c>) or a mean image.</summary>
/// <remarks>
/// The sibling of <see cref="RecordFormatException"/>, which is about RecordIO files and their records. The message
/// names the file and the line (text files) or byte offset (binary files) where the problem was found.
/// </remarks>
public class DataFormatException : PipelineException
{
    /// <summary>Initializes a new instance with no message.</summary>
    public DataFormatException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What was expected, what was found and where.</param>
    public DataFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the error that caused it.</summary>
    /// <param name="message">What was expected, what was found and where.</param>
    /// <param name="innerException">The underlying error.</param>
    public DataFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance that names where the problem is.</summary>
    /// <param name="message">What was expected, what was found and where.</param>
    /// <param name="filePath">The file.</param>
    /// <param name="lineNumber">The one-based line of a text file, or <see langword="null"/>.</param>
    /// <param name="offset">The byte offset in a binary file, or <see langword="null"/>.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public DataFormatException(string message, string? filePath, long? lineNumber, long? offset = null, Exception? innerException = null)
        : base(message, innerException!)
    {
        FilePath = filePath;
        LineNumber = lineNumber;
        Offset = offset;
    }

    /// <summary>Gets the file the problem is in, or <see langword="null"/> when unknown.</summary>
    public string? FilePath { get; }

    /// <summary>Gets the one-based line of the problem in a text file, or <see langword="null"/>.</summary>
    public long? LineNumber { get; }

    /// <summary>Gets the byte offset of the problem in a binary file, or <see langword="null"/>.</summary>
    public long? Offset { get; }
}
