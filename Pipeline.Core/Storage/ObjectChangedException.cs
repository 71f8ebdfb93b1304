namespace Pipeline.Core.Storage;

/// <summary>A remote object was replaced while it was being read: its ETag no longer matches the one pinned when it was opened.</summary>
/// <remarks>Never retried: continuing would mix two versions of the data.</remarks>
public sealed class ObjectChangedException : StorageException
{
    /// <summary>Initializes a new instance with no message.</summary>
    public ObjectChangedException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What went wrong, and where.</param>
    public ObjectChangedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the error that caused it.</summary>
    /// <param name="message">What went wrong, and where.</param>
    /// <param name="innerException">The underlying error.</param>
    public ObjectChangedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance naming the object and offset.</summary>
    /// <param name="message">What went wrong, and where.</param>
    /// <param name="location">The URI of the object.</param>
    /// <param name="offset">The byte offset of the request that saw the change.</param>
    /// <param name="innerException">The underlying error, or <see langword="null"/>.</param>
    public ObjectChangedException(string message, string location, long? offset, Exception? innerException)
        : base(message, location, offset, innerException)
    {
    }
}
