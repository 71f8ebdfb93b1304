using Pipeline.Core;
using Pipeline.Core.RecordIO;

namespace Pipeline.Stages.Imaging;

public static partial class ImageOps
{
    /// <summary>Encodes an image and packs it into an image record, as MXNet's <c>pack_img</c>, with MXNet's extension-named format.</summary>
    /// <param name="header">The record header (see <see cref="ImageRecord.Pack"/> for the label rules).</param>
    /// <param name="image">An (H, W, 1), (H, W, 3) RGB or (H, W, 4) RGBA uint8 image.</param>
    /// <param name="quality">JPEG quality 1-100; for PNG the compression level, clamped to 0-9 (so the default 95 means 9).</param>
    /// <param name="format"><c>.jpg</c>/<c>.jpeg</c>, <c>.png</c> or <c>.bmp</c> (any case).</param>
    /// <returns>The packed record.</returns>
    /// <exception cref="ArgumentException">The format is unknown or the image is not uint8 with 1, 3 or 4 channels.</exception>
    public static byte[] PackImage(ImageRecordHeader header, NDArray image, int quality = 95, string format = ".jpg")
    {
        ArgumentNullException.ThrowIfNull(format);

        // The image is checked before the format, as the encoder always did.
        CheckEncodable(image);
        return PackImage(header, image, ParseFormat(format), quality);
    }

    /// <summary>Encodes an image and packs it into an image record, as MXNet's <c>pack_img</c>.</summary>
    /// <param name="header">The record header (see <see cref="ImageRecord.Pack"/> for the label rules).</param>
    /// <param name="image">An (H, W, 1), (H, W, 3) RGB or (H, W, 4) RGBA uint8 image.</param>
    /// <param name="format">The encoding.</param>
    /// <param name="quality">JPEG quality 1-100; for PNG the compression level, clamped to 0-9 (so the default 95 means 9).</param>
    /// <returns>The packed record.</returns>
    /// <exception cref="ArgumentException">The image is not uint8 with 1, 3 or 4 channels.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is undefined.</exception>
    public static byte[] PackImage(ImageRecordHeader header, NDArray image, ImageFormat format, int quality = 95) =>
        ImageRecord.Pack(header, Encode(image, format, quality));

    /// <summary>Unpacks an image record and decodes its image, as MXNet's <c>unpack_img</c>.</summary>
    /// <param name="record">The packed record.</param>
    /// <param name="color"><see langword="true"/> for RGB, <see langword="false"/> for luma.</param>
    /// <returns>The header and the decoded image (the caller disposes it).</returns>
    /// <exception cref="RecordFormatException">The record is shorter than its header.</exception>
    /// <exception cref="ImageDecodeException">The payload is not a decodable image.</exception>
    public static (ImageRecordHeader Header, NDArray Image) UnpackImage(ReadOnlyMemory<byte> record, bool color = true)
    {
        (ImageRecordHeader header, ReadOnlyMemory<byte> payload) = ImageRecord.Unpack(record);
        return (header, Decode(payload.Span, color));
    }
}
