namespace Pipeline.Core.Storage;

/// <summary>Reading or writing remote data failed: the server refused, did not answer within the configured time, kept failing after the retries, or the object changed while it was read.</summary>
/// <remarks>The message names the URI and the byte offset; it never contains credentials.</remarks>
public class StorageException : PipelineException
{
    /// <summary>Initializes a new instance with no message.</summary>
    public StorageException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What went wrong, and where.</param>
    public StorageException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the error that caused it.</summary>
    /// <param name="message">What went wrong, and where.</param>
    /// <param name="innerException">The underlying error.</param>
    public StorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance naming the object and offset.</summary>
    /// <param name="message">What went wrong, and where.</param>
    /// <param name="location">The URI or path of the object.</param>
    /// <param name="offset">The byte offset the failed request started at, or <see langword="null"/>.</param>
    /// <param name="innerException">The underlying error, or <see langword="null"/>.</param>
    public StorageException(string message, string location, long? offset, Exception? innerException)
        : base(message, innerException!)
    {
        Location = location;
        Offset = offset;
    }

    /// <summary>Gets the URI or path of the object, when known.</summary>
    public string? Location { get; }

    /// <summary>Gets the byte offset the failed request started at, when known.</summary>
    public long? Offset { get; }
}
