using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>MXNet's <c>mx.image</c> functions: decode, resize, crop, normalize, border, pack. Images are <see cref="NDArray"/> (H, W, C), uint8, RGB.</summary>
/// <remarks>
/// <para>
/// Resizing follows OpenCV's definitions (decision 8 in docs/architecture.md), implemented on spans: <see cref="Interpolation"/> holds
/// MXNet's codes (0 nearest, 1 bilinear with half-pixel centres, 2 bicubic with a = -0.75, 3 area, 4 Lanczos-4).
/// MXNet's integer codes, border types and <c>.jpg</c>-style format names are kept as overloads beside the
/// <see cref="Interpolation"/>, <see cref="BorderType"/> and <see cref="ImageFormat"/> ones, which are the single
/// implementation. Size tuples are (width, height); shapes are (height, width, channels).
/// </para>
/// <para>
/// Decoding and encoding go through <see cref="ImageCodecs.Default"/> unless <see cref="ImageDecodeOptions.Codec"/> says
/// otherwise: the system's libjpeg-turbo and libpng for JPEG and PNG when they load (pixels identical to OpenCV's
/// <c>imdecode</c>, as MXNet), ImageSharp otherwise and for BMP and GIF. The supported formats are JPEG, PNG, BMP and GIF
/// (its first frame only); every other format (TIFF, WebP, TGA, PBM, ...) is refused from its header with an
/// <see cref="ImageDecodeException"/> naming it. The header is read before any pixel is allocated, so an image over
/// <see cref="ImageDecodeOptions.MaxPixels"/> costs nothing; PNG text chunks are never inflated; and whatever a decoder
/// throws on hostile bytes arrives as an <see cref="ImageDecodeException"/>. EXIF orientation is ignored, as MXNet's
/// <c>imdecode</c>, unless <see cref="ImageDecodeOptions.AutoOrient"/> asks for it (decision 14).
/// </para>
/// </remarks>
public static partial class ImageOps
{
    internal static (int Height, int Width, int Channels) CheckImage(NDArray src)
    {
        ArgumentNullException.ThrowIfNull(src);
        if (src.Rank != 3 || src.DType is not (DType.UInt8 or DType.Float32))
        {
            throw new ArgumentException($"Expected an (H, W, C) uint8 or float32 image; got {src.DType.ToNumPyName()} {DataDesc.FormatTuple(src.Shape)}.", nameof(src));
        }

        int h = src.GetLength(0);
        int w = src.GetLength(1);
        int c = src.GetLength(2);
        if (h == 0 || w == 0 || c == 0) throw new ArgumentException($"The image {DataDesc.FormatTuple(src.Shape)} is empty.", nameof(src));
        return (h, w, c);
    }

    /// <summary>Allocates the output of a geometry step, refusing one over the pixel limit before allocating it.</summary>
    /// <remarks>Sizes computed from data (a 1x4000 image whose short side is resized to 224 becomes 224x896000) would
    /// otherwise cost gigabytes; the limit is the default decode limit, <see cref="ImageDecodeOptions.DefaultMaxPixels"/>.</remarks>
    /// <exception cref="ImagingException">The output would have more than <see cref="ImageDecodeOptions.DefaultMaxPixels"/> pixels.</exception>
    internal static NDArray NewImage(DType dtype, long height, long width, int channels)
    {
        CheckOutputSize(height, width);
        return NDArray.Empty(dtype, (int)height, (int)width, channels);
    }

    /// <summary>Refuses a geometry step's output size (also a virtual one, such as a fused resize's) over the pixel limit.</summary>
    /// <exception cref="ImagingException">The size is empty or over <see cref="ImageDecodeOptions.DefaultMaxPixels"/> pixels.</exception>
    internal static void CheckOutputSize(long height, long width)
    {
        if (height <= 0 || width <= 0 || height * width > ImageDecodeOptions.DefaultMaxPixels)
        {
            throw new ImagingException(string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"A {width}x{height} (width x height) output image is empty or over the limit of {ImageDecodeOptions.DefaultMaxPixels} pixels."));
        }
    }

    internal static NDArray ToFloat32(NDArray src)
    {
        NDArray result = NDArray.Empty(DType.Float32, src.Shape);
        System.Numerics.Tensors.TensorPrimitives.ConvertChecked<byte, float>(src.AsSpan<byte>(), result.AsSpan<float>());
        return result;
    }
}
