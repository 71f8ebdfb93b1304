namespace Pipeline.Stages.Imaging;

/// <summary>Bytes could not be decoded as an image: empty, truncated, not an image, or larger than the pixel limit.</summary>
public sealed class ImageDecodeException : ImagingException
{
    /// <summary>Initializes a new instance with no message.</summary>
    public ImageDecodeException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What was wrong with the bytes.</param>
    public ImageDecodeException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the decoder's error.</summary>
    /// <param name="message">What was wrong with the bytes.</param>
    /// <param name="innerException">The decoder's error.</param>
    public ImageDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
