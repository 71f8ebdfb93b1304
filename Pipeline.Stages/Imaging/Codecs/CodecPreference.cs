namespace Pipeline.Stages.Imaging;

/// <summary>Which codec decodes and encodes JPEG and PNG (<see cref="ImageDecodeOptions.Codec"/>); BMP and GIF always use the managed codec.</summary>
public enum CodecPreference
{
    /// <summary>The native libraries (libjpeg-turbo's TurboJPEG, libpng) when they load, otherwise the managed codec (ImageSharp): <see cref="ImageCodecs.Default"/>.</summary>
    Auto,

    /// <summary>The native libraries; decoding fails with a <see cref="DllNotFoundException"/> when they cannot be loaded.</summary>
    Native,

    /// <summary>The managed codec (ImageSharp), even when the native libraries are installed.</summary>
    Managed,
}
