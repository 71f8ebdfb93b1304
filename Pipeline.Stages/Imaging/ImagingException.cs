using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>The imaging room's error: pixels or shapes found in the data that an image operation or augmenter cannot work with.</summary>
/// <remarks>
/// Raised for what the data holds (an image that cannot be decoded, one too small for the crop the options ask for),
/// never for a caller's misuse of an API, which stays an <see cref="ArgumentException"/>.
/// </remarks>
public class ImagingException : PipelineException
{
    /// <summary>Initializes a new instance with no message.</summary>
    public ImagingException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What was wrong with the image, and where.</param>
    public ImagingException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the error that caused it.</summary>
    /// <param name="message">What was wrong with the image, and where.</param>
    /// <param name="innerException">The underlying error.</param>
    public ImagingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
