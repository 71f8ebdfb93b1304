namespace Pipeline.Core;

/// <summary>The base of every domain error the library raises.</summary>
public class PipelineException : Exception
{
    /// <summary>Initializes a new instance with no message.</summary>
    public PipelineException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What went wrong, and where.</param>
    public PipelineException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the error that caused it.</summary>
    /// <param name="message">What went wrong, and where.</param>
    /// <param name="innerException">The underlying error.</param>
    public PipelineException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
