using Pipeline.Core.Storage;
using Pipeline.Stages.Imaging;

namespace Pipeline.Stages.Im2Rec;

/// <summary>How <see cref="Im2RecPacker"/> turns image lists into <c>.rec</c> + <c>.idx</c>, with MXNet's <c>im2rec</c> parameters.</summary>
/// <remarks>
/// Defaults as im2rec: re-encode to JPEG quality 95, colour (EXIF orientation applied), no resize, one thread. The
/// header follows <c>im2rec.cc</c> (whose outputs are the golden files): flag 0 and the first label, or with
/// <see cref="PackLabel"/> flag = label count, the first label in the header and every label after it.
/// </remarks>
public sealed record Im2RecPackOptions
{
    /// <summary>Gets where <see cref="Im2RecPacker.PackPrefixAsync"/> writes each list's <c>.rec</c> and <c>.idx</c>: a folder or a
    /// URI prefix such as <c>s3://bucket/datasets/</c>; <see langword="null"/> (the default) writes them next to the lists, as im2rec does.</summary>
    public string? Output { get; init; }

    /// <summary>Gets how remote outputs are written (part size, retries, S3 endpoint and credentials); <see langword="null"/> for <see cref="StorageOptions.Default"/>.</summary>
    public StorageOptions? Storage { get; init; }

    /// <summary>Gets whether to store the file bytes as they are (no decode, no re-encode).</summary>
    public bool PassThrough { get; init; }

    /// <summary>Gets the shorter-side length to resize to (0 = keep); an image already that size is not resized.</summary>
    public int Resize { get; init; }

    /// <summary>Gets whether to crop the centre square first (only with <see cref="Resize"/>, as im2rec.cc).</summary>
    public bool CenterCrop { get; init; }

    /// <summary>Gets the JPEG quality; for PNG the compression level (values above 9 mean 3, as im2rec.cc).</summary>
    public int Quality { get; init; } = 95;

    /// <summary>Gets the encoding: <see cref="ImageFormat.Jpeg"/> or <see cref="ImageFormat.Png"/> (im2rec's <c>.jpg</c> or <c>.png</c>).</summary>
    public ImageFormat Encoding { get; init; } = ImageFormat.Jpeg;

    /// <summary>Gets the colour mode: 1 colour, 0 gray (both apply EXIF orientation), -1 unchanged (channels kept, orientation ignored).</summary>
    public int Color { get; init; } = 1;

    /// <summary>Gets whether lines with several labels store all of them.</summary>
    public bool PackLabel { get; init; }

    /// <summary>Gets the interpolation for resizing: <see cref="Interpolation.Nearest"/> to <see cref="Interpolation.Lanczos4"/> (im2rec's codes 0-4).</summary>
    public Interpolation InterMethod { get; init; } = Interpolation.Bilinear;

    /// <summary>Gets whether a colour JPEG re-encoded to JPEG with a resize has its Y, Cb and Cr planes resized directly (default) instead of going through RGB.</summary>
    /// <remarks>
    /// With the native codec, resizing the planes skips two colour conversions and the chroma up- and down-sampling that
    /// decode-resize-encode does (im2rec.py's order), for about a third less work per image. Luma is resized exactly as
    /// each RGB channel would be; chroma is resized at its own resolution, so the decoded pixels differ from the RGB
    /// path's by about a level on average. Set <see langword="false"/> for im2rec.py's order. Other cases (PNG, gray or
    /// unchanged colour, a centre crop, an EXIF orientation to apply, a reduction by more than 2x in either axis, no native
    /// JPEG codec) always go through RGB.
    /// </remarks>
    public bool PlanarResize { get; init; } = true;

    /// <summary>Gets the number of decode/encode threads; the output stays in list order.</summary>
    public int NumThreads { get; init; } = 1;

    /// <summary>Gets whether an unreadable image stops packing (default: report it, skip it, count it).</summary>
    public bool Strict { get; init; }

    /// <summary>Gets how many images of one list may be skipped before packing that list fails; <see langword="null"/> (the default) fails only when every image was skipped.</summary>
    /// <remarks>A list that packs nothing always fails, whatever this says: an existing <c>.rec</c>/<c>.idx</c> is never replaced by empty files
    /// (a wrong image folder skips every image). A failed list leaves its outputs as they were.</remarks>
    public int? MaxSkipped { get; init; }

    /// <summary>Checks every option without touching any file, so a configuration can be checked before anything is built; the constructors call it.</summary>
    /// <exception cref="ArgumentException">An option is missing, out of range or contradicts another; the message and <see cref="ArgumentException.ParamName"/> name it.</exception>
    public void Validate()
    {
        Storage?.Validate();
        if (MaxSkipped < 0) throw new ArgumentOutOfRangeException(nameof(MaxSkipped), MaxSkipped, "MaxSkipped must not be negative.");
        if (Resize < 0) throw new ArgumentOutOfRangeException(nameof(Resize), Resize, "Resize must be 0 (off) or positive.");
        if (Color is < -1 or > 1) throw new ArgumentOutOfRangeException(nameof(Color), Color, "Color must be -1, 0 or 1.");
        if (NumThreads <= 0) throw new ArgumentOutOfRangeException(nameof(NumThreads), NumThreads, "NumThreads must be positive.");
        if (InterMethod is < Interpolation.Nearest or > Interpolation.Lanczos4) throw new ArgumentOutOfRangeException(nameof(InterMethod), InterMethod, "InterMethod must be 0-4.");
        if (Encoding is not (ImageFormat.Jpeg or ImageFormat.Png)) throw new ArgumentOutOfRangeException(nameof(Encoding), Encoding, "Encoding must be Jpeg or Png (.jpg or .png).");
        if (Quality is < 0 or > 100) throw new ArgumentOutOfRangeException(nameof(Quality), Quality, "Quality must be 0-100.");
    }
}
