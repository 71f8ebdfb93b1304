using System.Globalization;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.Imaging.Internal;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Pipeline.Stages.Imaging;

/// <summary>MXNet's <c>mx.image</c> functions: decode, resize, crop, normalize, border, pack. Images are <see cref="NDArray"/> (H, W, C), uint8, RGB.</summary>
/// <remarks>
/// Resizing follows OpenCV's definitions (DESIGN decision 8), implemented on spans: 0 nearest, 1 bilinear
/// (half-pixel centres), 2 bicubic (a = -0.75), 3 area, 4 Lanczos-4. ImageSharp only decodes and encodes.
/// Size tuples are (width, height); shapes are (height, width, channels).
/// </remarks>
public static class ImageOps
{
    private static readonly Configuration s_configuration = CreateConfiguration();

    /// <summary>Decodes an encoded image (JPEG, PNG, BMP, GIF first frame), as MXNet's <c>imdecode</c>.</summary>
    /// <param name="encoded">The file bytes.</param>
    /// <param name="color"><see langword="true"/> for (H, W, 3) RGB; <see langword="false"/> for (H, W, 1) luma.</param>
    /// <returns>The image; the caller disposes it.</returns>
    /// <exception cref="ImageDecodeException">The bytes are empty, truncated, not an image, or over the pixel limit.</exception>
    public static NDArray Decode(ReadOnlySpan<byte> encoded, bool color = true) =>
        Decode(encoded, color ? ImageDecodeOptions.Default : ImageDecodeOptions.Default with { Color = false });

    /// <summary>Decodes an encoded image with explicit options.</summary>
    /// <param name="encoded">The file bytes.</param>
    /// <param name="options">Colour, orientation and size limit.</param>
    /// <returns>The image; the caller disposes it.</returns>
    /// <exception cref="ImageDecodeException">The bytes are empty, truncated, not an image, or over the pixel limit.</exception>
    public static NDArray Decode(ReadOnlySpan<byte> encoded, ImageDecodeOptions options)
    {
        using Image<Rgb24> image = LoadRgb(encoded, options);
        return options.Color ? CopyRgb(image) : CopyLuma(image);
    }

    /// <summary>Decodes to RGB and hands the decoder's own pixel buffer to <paramref name="use"/>, without copying it into an <see cref="NDArray"/> (the pipeline's fast path).</summary>
    /// <typeparam name="T">What <paramref name="use"/> makes of the pixels.</typeparam>
    /// <param name="encoded">The file bytes.</param>
    /// <param name="options">Orientation and size limit (the result is always RGB).</param>
    /// <param name="use">Receives the (H, W, 3) pixels, valid only during the call, and the height and width.</param>
    /// <returns>What <paramref name="use"/> returned.</returns>
    internal static T DecodeRgb<T>(ReadOnlySpan<byte> encoded, ImageDecodeOptions options, RgbPixels<T> use)
    {
        using Image<Rgb24> image = LoadRgb(encoded, options);
        if (image.DangerousTryGetSinglePixelMemory(out Memory<Rgb24> memory))
        {
            return use(System.Runtime.InteropServices.MemoryMarshal.AsBytes(memory.Span), image.Height, image.Width);
        }

        using NDArray copy = CopyRgb(image);
        return use(copy.AsBytes(), image.Height, image.Width);
    }

    /// <summary>Receives decoded RGB pixels.</summary>
    internal delegate T RgbPixels<T>(ReadOnlySpan<byte> pixels, int height, int width);

    private static Image<Rgb24> LoadRgb(ReadOnlySpan<byte> encoded, ImageDecodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckHeader(encoded, options.MaxPixels);
        Image<Rgb24> image;
        try
        {
            image = Image.Load<Rgb24>(s_configuration, encoded);
        }
        catch (Exception error) when (error is ImageFormatException or InvalidImageContentException or NotSupportedException or InvalidOperationException or IndexOutOfRangeException or ArgumentException)
        {
            throw new ImageDecodeException($"The {encoded.Length}-byte image could not be decoded: {error.Message}", error);
        }

        if (options.AutoOrient) image.Mutate(x => x.AutoOrient());
        return image;
    }

    /// <summary>Decodes keeping the stored channels (1 gray, 3 RGB, 4 RGBA) and ignoring EXIF orientation, as OpenCV's <c>IMREAD_UNCHANGED</c> for 8-bit images.</summary>
    /// <param name="encoded">The file bytes.</param>
    /// <param name="maxPixels">The largest width x height accepted.</param>
    /// <returns>An (H, W, 1|3|4) uint8 image; the caller disposes it.</returns>
    /// <exception cref="ImageDecodeException">The bytes are not a decodable image or are over the pixel limit.</exception>
    public static NDArray DecodeUnchanged(ReadOnlySpan<byte> encoded, long maxPixels = ImageDecodeOptions.DefaultMaxPixels)
    {
        IImageInfo info = CheckHeader(encoded, maxPixels);
        int bits = info.PixelType?.BitsPerPixel ?? 24;
        int channels = bits is 8 or 16 ? 1 : bits is 32 or 64 ? 4 : 3;
        try
        {
            switch (channels)
            {
                case 1:
                    using (Image<L8> gray = Image.Load<L8>(s_configuration, encoded)) return CopyPixels(gray, 1);
                case 4:
                    using (Image<Rgba32> rgba = Image.Load<Rgba32>(s_configuration, encoded)) return CopyPixels(rgba, 4);
                default:
                    using (Image<Rgb24> rgb = Image.Load<Rgb24>(s_configuration, encoded)) return CopyRgb(rgb);
            }
        }
        catch (Exception error) when (error is ImageFormatException or InvalidImageContentException or NotSupportedException or InvalidOperationException or IndexOutOfRangeException or ArgumentException)
        {
            throw new ImageDecodeException($"The {encoded.Length}-byte image could not be decoded: {error.Message}", error);
        }
    }

    /// <summary>Reads and decodes an image file, as MXNet's <c>imread</c>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="color"><see langword="true"/> for (H, W, 3) RGB; <see langword="false"/> for (H, W, 1) luma.</param>
    /// <returns>The image; the caller disposes it.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ImageDecodeException">The file is not a decodable image; the message names it.</exception>
    public static NDArray Read(string path, bool color = true)
    {
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            return Decode(bytes, color);
        }
        catch (ImageDecodeException error)
        {
            throw new ImageDecodeException($"'{path}': {error.Message}", error);
        }
    }

    /// <summary>Resizes to exactly (width, height), as MXNet's <c>imresize</c> (OpenCV's <c>cv::resize</c>).</summary>
    /// <param name="src">An (H, W, C) uint8 or float32 image.</param>
    /// <param name="width">The new width.</param>
    /// <param name="height">The new height.</param>
    /// <param name="interp">0 nearest, 1 bilinear, 2 bicubic, 3 area, 4 Lanczos-4.</param>
    /// <returns>A new image of the same type.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive or <paramref name="interp"/> is not 0-4 (9 and 10 belong to <see cref="ResolveInterp"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="src"/> is not an (H, W, C) uint8 or float32 image.</exception>
    public static NDArray Resize(NDArray src, int width, int height, int interp = 1)
    {
        (int h, int w, int c) = CheckImage(src);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (interp is < 0 or > 4)
        {
            throw new ArgumentOutOfRangeException(nameof(interp), interp, "Resize takes interpolation codes 0-4 (nearest, bilinear, bicubic, area, Lanczos-4); resolve 9 (auto) and 10 (random) with ResolveInterp first.");
        }

        NDArray dst = NDArray.Empty(src.DType, height, width, c);
        if (width == w && height == h)
        {
            src.AsBytes().CopyTo(dst.AsBytes());
            return dst;
        }

        if (src.DType == DType.UInt8)
        {
            Resampler.Resize<byte, byte>(src.AsSpan<byte>(), w, h, c, dst.AsSpan<byte>(), width, height, interp);
        }
        else
        {
            Resampler.Resize<float, float>(src.AsSpan<float>(), w, h, c, dst.AsSpan<float>(), width, height, interp);
        }

        return dst;
    }

    /// <summary>Resizes to (width, height) and crops a window of the result in one pass, computing only the window's pixels.</summary>
    /// <param name="src">An (H, W, C) uint8 or float32 image.</param>
    /// <param name="width">The width of the (virtual) resized image.</param>
    /// <param name="height">The height of the (virtual) resized image.</param>
    /// <param name="window">The (x, y, width, height) to keep, in resized coordinates.</param>
    /// <param name="interp">0 nearest, 1 bilinear, 2 bicubic, 3 area, 4 Lanczos-4.</param>
    /// <returns>A new image equal to <c>FixedCrop(Resize(src, width, height, interp), window)</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, the window is outside the resized image, or <paramref name="interp"/> is not 0-4.</exception>
    /// <remarks>The pipeline's fast path for resize-short followed by a crop: the discarded margins are never computed.</remarks>
    public static NDArray ResizeCrop(NDArray src, int width, int height, (int X, int Y, int Width, int Height) window, int interp = 1)
    {
        (int h, int w, int c) = CheckImage(src);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (interp is < 0 or > 4) throw new ArgumentOutOfRangeException(nameof(interp), interp, "ResizeCrop takes interpolation codes 0-4.");
        if (window.Width <= 0 || window.Height <= 0 || window.X < 0 || window.Y < 0 || window.X + window.Width > width || window.Y + window.Height > height)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, $"The window is empty or outside the {width}x{height} resized image.");
        }

        NDArray dst = NDArray.Empty(src.DType, window.Height, window.Width, c);
        if (width == w && height == h)
        {
            using NDArray same = FixedCrop(src, window.X, window.Y, window.Width, window.Height);
            same.AsBytes().CopyTo(dst.AsBytes());
        }
        else if (src.DType == DType.UInt8)
        {
            Resampler.Resize<byte, byte>(src.AsSpan<byte>(), w, h, c, dst.AsSpan<byte>(), width, height, interp, window);
        }
        else
        {
            Resampler.Resize<float, float>(src.AsSpan<float>(), w, h, c, dst.AsSpan<float>(), width, height, interp, window);
        }

        return dst;
    }

    /// <summary>The span form of <c>ResizeCrop</c> for uint8 pixels that are not in an <see cref="NDArray"/>.</summary>
    internal static NDArray ResizeCropPixels(ReadOnlySpan<byte> pixels, int h, int w, int c, int width, int height, (int X, int Y, int Width, int Height) window, int interp)
    {
        NDArray dst = NDArray.Empty(DType.UInt8, window.Height, window.Width, c);
        Resampler.Resize<byte, byte>(pixels, w, h, c, dst.AsSpan<byte>(), width, height, interp, window);
        return dst;
    }

    /// <summary>Resolves MXNet's interpolation codes 9 (auto) and 10 (random) to 0-4, as <c>_get_interp_method</c>.</summary>
    /// <param name="interp">A code 0-4, 9 or 10.</param>
    /// <param name="sizes">(old height, old width, new height, new width), for 9.</param>
    /// <param name="rng">The generator for 10.</param>
    /// <returns>A code 0-4.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interp"/> is not 0-4, 9 or 10.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="interp"/> is 10 and <paramref name="rng"/> is null.</exception>
    /// <remarks>9 gives bicubic when enlarging both sides, area when shrinking both, bilinear otherwise, and bicubic without sizes.</remarks>
    public static int ResolveInterp(int interp, (int OldHeight, int OldWidth, int NewHeight, int NewWidth)? sizes = null, Random? rng = null)
    {
        switch (interp)
        {
            case >= 0 and <= 4:
                return interp;
            case 9 when sizes is { } s:
                if (s.NewHeight > s.OldHeight && s.NewWidth > s.OldWidth) return 2;
                if (s.NewHeight < s.OldHeight && s.NewWidth < s.OldWidth) return 3;
                return 1;
            case 9:
                return 2;
            case 10:
                ArgumentNullException.ThrowIfNull(rng);
                return rng.Next(0, 5);
            default:
                throw new ArgumentOutOfRangeException(nameof(interp), interp, $"Unknown interpolation method {interp}; use 0-4, 9 (auto) or 10 (random).");
        }
    }

    /// <summary>Resizes so that the shorter side equals <paramref name="size"/>, as MXNet's <c>resize_short</c>.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="size">The new length of the shorter side.</param>
    /// <param name="interp">An interpolation code (0-4, 9 or 10).</param>
    /// <param name="rng">The generator for code 10.</param>
    /// <returns>A new image; the longer side is <c>size * long / short</c> rounded down.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive or <paramref name="interp"/> is unknown.</exception>
    public static NDArray ResizeShort(NDArray src, int size, int interp = 2, Random? rng = null)
    {
        (int h, int w, _) = CheckImage(src);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        (int newH, int newW) = h > w ? ((int)((long)size * h / w), size) : (size, (int)((long)size * w / h));
        return Resize(src, newW, newH, ResolveInterp(interp, (h, w, newH, newW), rng));
    }

    /// <summary>Shrinks a (width, height) crop size, keeping its aspect ratio, until it fits in the source, as MXNet's <c>scale_down</c>.</summary>
    /// <param name="srcSize">The source (width, height).</param>
    /// <param name="size">The wanted (width, height).</param>
    /// <returns>The size that fits, truncated to integers.</returns>
    public static (int Width, int Height) ScaleDown((int Width, int Height) srcSize, (int Width, int Height) size)
    {
        double w = size.Width;
        double h = size.Height;
        if (srcSize.Height < h)
        {
            w = w * srcSize.Height / h;
            h = srcSize.Height;
        }

        if (srcSize.Width < w)
        {
            h = h * srcSize.Width / w;
            w = srcSize.Width;
        }

        return ((int)w, (int)h);
    }

    /// <summary>Crops a rectangle and optionally resizes it, as MXNet's <c>fixed_crop</c>.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="x0">The left column.</param>
    /// <param name="y0">The top row.</param>
    /// <param name="w">The crop width.</param>
    /// <param name="h">The crop height.</param>
    /// <param name="size">The (width, height) to resize the crop to, if different.</param>
    /// <param name="interp">An interpolation code (0-4, 9 or 10).</param>
    /// <returns>A new image.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The rectangle is empty or not inside the image, or a size is not positive.</exception>
    public static NDArray FixedCrop(NDArray src, int x0, int y0, int w, int h, (int Width, int Height)? size = null, int interp = 2) =>
        FixedCrop(src, x0, y0, w, h, size, interp, rng: null);

    /// <summary>Crops a rectangle and optionally resizes it, with a generator for interpolation code 10.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="x0">The left column.</param>
    /// <param name="y0">The top row.</param>
    /// <param name="w">The crop width.</param>
    /// <param name="h">The crop height.</param>
    /// <param name="size">The (width, height) to resize the crop to, if different.</param>
    /// <param name="interp">An interpolation code (0-4, 9 or 10).</param>
    /// <param name="rng">The generator for code 10.</param>
    /// <returns>A new image.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The rectangle is empty or not inside the image, or a size is not positive.</exception>
    public static NDArray FixedCrop(NDArray src, int x0, int y0, int w, int h, (int Width, int Height)? size, int interp, Random? rng)
    {
        (int height, int width, int c) = CheckImage(src);
        if (w <= 0 || h <= 0 || x0 < 0 || y0 < 0 || (long)x0 + w > width || (long)y0 + h > height)
        {
            throw new ArgumentOutOfRangeException(nameof(src), string.Create(CultureInfo.InvariantCulture, $"Crop ({x0}, {y0}, {w}, {h}) (x, y, width, height) is empty or outside the {width}x{height} image."));
        }

        if (size is { } target && (target.Width <= 0 || target.Height <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "The crop's output size must be positive.");
        }

        NDArray crop = NDArray.Empty(src.DType, h, w, c);
        int element = src.DType.SizeInBytes();
        int rowBytes = w * c * element;
        Span<byte> source = src.AsBytes();
        Span<byte> destination = crop.AsBytes();
        for (int y = 0; y < h; y++)
        {
            source.Slice((((y0 + y) * width) + x0) * c * element, rowBytes).CopyTo(destination.Slice(y * rowBytes, rowBytes));
        }

        if (size is not { } resized || (resized.Width == w && resized.Height == h)) return crop;
        using (crop)
        {
            return Resize(crop, resized.Width, resized.Height, ResolveInterp(interp, (h, w, resized.Height, resized.Width), rng));
        }
    }

    /// <summary>Crops a random rectangle of <paramref name="size"/> (scaled down to fit), as MXNet's <c>random_crop</c>.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="size">The output (width, height).</param>
    /// <param name="rng">The generator (x drawn first, then y).</param>
    /// <param name="interp">An interpolation code for the resize to <paramref name="size"/>.</param>
    /// <returns>The crop, always of <paramref name="size"/>, and the rectangle taken from the source.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
    public static (NDArray Image, (int X, int Y, int Width, int Height) Rect) RandomCrop(NDArray src, (int Width, int Height) size, Random rng, int interp = 2)
    {
        ArgumentNullException.ThrowIfNull(rng);
        (int h, int w, _) = CheckImage(src);
        CheckSize(size);
        (int newW, int newH) = ScaleDown((w, h), size);
        if (newW <= 0 || newH <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, $"A {size.Width}x{size.Height} crop scaled to fit the {w}x{h} image is empty.");
        int x0 = rng.Next(0, w - newW + 1);
        int y0 = rng.Next(0, h - newH + 1);
        return (FixedCrop(src, x0, y0, newW, newH, size, interp, rng), (x0, y0, newW, newH));
    }

    /// <summary>Crops the centre rectangle of <paramref name="size"/> (scaled down to fit), as MXNet's <c>center_crop</c>.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="size">The output (width, height).</param>
    /// <param name="interp">An interpolation code for the resize to <paramref name="size"/>.</param>
    /// <returns>The crop, always of <paramref name="size"/>, and the rectangle taken from the source.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
    public static (NDArray Image, (int X, int Y, int Width, int Height) Rect) CenterCrop(NDArray src, (int Width, int Height) size, int interp = 2)
    {
        (int h, int w, _) = CheckImage(src);
        CheckSize(size);
        (int newW, int newH) = ScaleDown((w, h), size);
        if (newW <= 0 || newH <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, $"A {size.Width}x{size.Height} crop scaled to fit the {w}x{h} image is empty.");
        int x0 = (w - newW) / 2;
        int y0 = (h - newH) / 2;
        return (FixedCrop(src, x0, y0, newW, newH, size, interp, rng: null), (x0, y0, newW, newH));
    }

    /// <summary>Crops a random rectangle of random area and aspect ratio, resized to <paramref name="size"/>, as MXNet's <c>random_size_crop</c>.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="size">The output (width, height).</param>
    /// <param name="minArea">The smallest fraction of the source area to take (the largest is 1).</param>
    /// <param name="ratio">The (min, max) width/height ratio, drawn log-uniformly.</param>
    /// <param name="rng">The generator (per attempt: area, ratio, then x, y).</param>
    /// <param name="interp">An interpolation code for the resize to <paramref name="size"/>.</param>
    /// <returns>The crop, always of <paramref name="size"/>, and the rectangle taken from the source.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    /// <remarks>After 10 attempts that do not fit, falls back to <see cref="CenterCrop"/> of <paramref name="size"/> (MXNet's behaviour). An attempt that rounds to an empty crop counts as a failure.</remarks>
    public static (NDArray Image, (int X, int Y, int Width, int Height) Rect) RandomSizeCrop(NDArray src, (int Width, int Height) size, double minArea, (double Min, double Max) ratio, Random rng, int interp = 2) =>
        RandomSizeCrop(src, size, (minArea, 1.0), ratio, rng, interp);

    /// <summary>Crops a random rectangle whose area fraction is drawn from <paramref name="area"/>, resized to <paramref name="size"/>.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="size">The output (width, height).</param>
    /// <param name="area">The (min, max) fraction of the source area.</param>
    /// <param name="ratio">The (min, max) width/height ratio, drawn log-uniformly.</param>
    /// <param name="rng">The generator.</param>
    /// <param name="interp">An interpolation code for the resize to <paramref name="size"/>.</param>
    /// <returns>The crop and the rectangle taken from the source.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static (NDArray Image, (int X, int Y, int Width, int Height) Rect) RandomSizeCrop(NDArray src, (int Width, int Height) size, (double Min, double Max) area, (double Min, double Max) ratio, Random rng, int interp = 2)
    {
        ArgumentNullException.ThrowIfNull(rng);
        (int h, int w, _) = CheckImage(src);
        CheckSize(size);
        if (!(area.Min > 0 && area.Min <= area.Max && area.Max <= 1)) throw new ArgumentOutOfRangeException(nameof(area), area, "Area fractions must satisfy 0 < min <= max <= 1.");
        if (!(ratio.Min > 0 && ratio.Min <= ratio.Max)) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "Ratios must satisfy 0 < min <= max.");
        double sourceArea = (double)h * w;
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = (area.Min + ((area.Max - area.Min) * rng.NextDouble())) * sourceArea;
            double logMin = Math.Log(ratio.Min);
            double r = Math.Exp(logMin + ((Math.Log(ratio.Max) - logMin) * rng.NextDouble()));
            int newW = (int)Math.Round(Math.Sqrt(target * r));
            int newH = (int)Math.Round(Math.Sqrt(target / r));
            if (newW > 0 && newH > 0 && newW <= w && newH <= h)
            {
                int x0 = rng.Next(0, w - newW + 1);
                int y0 = rng.Next(0, h - newH + 1);
                return (FixedCrop(src, x0, y0, newW, newH, size, interp, rng), (x0, y0, newW, newH));
            }
        }

        return CenterCrop(src, size, interp);
    }

    /// <summary>Computes <c>(src - mean) / std</c> per channel, as MXNet's <c>color_normalize</c>.</summary>
    /// <param name="src">An (H, W, C) image; a float32 one is changed in place and returned, a uint8 one is converted to a new float32 image.</param>
    /// <param name="mean">The per-channel mean (C values, or 1 for all channels).</param>
    /// <param name="std">The per-channel standard deviation, or <see langword="null"/> for none.</param>
    /// <returns>The normalized float32 image.</returns>
    /// <exception cref="ArgumentException"><paramref name="mean"/> or <paramref name="std"/> has neither 1 nor C values.</exception>
    public static NDArray ColorNormalize(NDArray src, float[] mean, float[]? std = null)
    {
        ArgumentNullException.ThrowIfNull(mean);
        (_, int w, int c) = CheckImage(src);
        float[] meanRow = ChannelPattern(mean, c, w, nameof(mean));
        float[]? stdRow = std is null ? null : ChannelPattern(std, c, w, nameof(std));
        NDArray result = src.DType == DType.Float32 ? src : ToFloat32(src);
        Span<float> values = result.AsSpan<float>();
        int row = w * c;
        for (int offset = 0; offset < values.Length; offset += row)
        {
            Span<float> line = values.Slice(offset, row);
            System.Numerics.Tensors.TensorPrimitives.Subtract(line, meanRow, line);
            if (stdRow is not null) System.Numerics.Tensors.TensorPrimitives.Divide(line, stdRow, line);
        }

        return result;
    }

    /// <summary>Pads an image with a border, as MXNet's <c>copyMakeBorder</c> with OpenCV's border codes.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="top">Rows added above.</param>
    /// <param name="bottom">Rows added below.</param>
    /// <param name="left">Columns added on the left.</param>
    /// <param name="right">Columns added on the right.</param>
    /// <param name="type">0 constant, 1 replicate (<c>aaa|abc|ccc</c>), 2 reflect (<c>cba|abc|cba</c>), 3 wrap, 4 reflect-101 (<c>cb|abc|ba</c>).</param>
    /// <param name="value">The constant for type 0 (every channel).</param>
    /// <returns>A new image of (H + top + bottom, W + left + right, C).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A margin is negative or <paramref name="type"/> is not 0-4.</exception>
    public static NDArray CopyMakeBorder(NDArray src, int top, int bottom, int left, int right, int type = 0, float value = 0)
    {
        (int h, int w, int c) = CheckImage(src);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        ArgumentOutOfRangeException.ThrowIfNegative(bottom);
        ArgumentOutOfRangeException.ThrowIfNegative(left);
        ArgumentOutOfRangeException.ThrowIfNegative(right);
        if (type is < 0 or > 4) throw new ArgumentOutOfRangeException(nameof(type), type, "Border types are 0 constant, 1 replicate, 2 reflect, 3 wrap, 4 reflect-101.");
        int outH = h + top + bottom;
        int outW = w + left + right;
        NDArray dst = NDArray.Empty(src.DType, outH, outW, c);
        int element = src.DType.SizeInBytes();
        int pixel = c * element;
        Span<byte> source = src.AsBytes();
        Span<byte> destination = dst.AsBytes();
        Span<byte> fill = stackalloc byte[pixel];
        FillValue(src.DType, value, c, fill);
        for (int y = 0; y < outH; y++)
        {
            int sy = BorderInterpolate(y - top, h, type);
            for (int x = 0; x < outW; x++)
            {
                int sx = BorderInterpolate(x - left, w, type);
                Span<byte> target = destination.Slice(((y * outW) + x) * pixel, pixel);
                if (sy < 0 || sx < 0)
                {
                    fill.CopyTo(target);
                }
                else
                {
                    source.Slice(((sy * w) + sx) * pixel, pixel).CopyTo(target);
                }
            }
        }

        return dst;
    }

    /// <summary>Encodes an image and packs it into an image record, as MXNet's <c>pack_img</c>.</summary>
    /// <param name="header">The record header (see <see cref="ImageRecord.Pack"/> for the label rules).</param>
    /// <param name="image">An (H, W, 1), (H, W, 3) RGB or (H, W, 4) RGBA uint8 image.</param>
    /// <param name="quality">JPEG quality 1-100; for PNG the compression level, clamped to 0-9 (so the default 95 means 9).</param>
    /// <param name="format"><c>.jpg</c>/<c>.jpeg</c>, <c>.png</c> or <c>.bmp</c> (any case).</param>
    /// <returns>The packed record.</returns>
    /// <exception cref="ArgumentException">The format is unknown or the image is not uint8 with 1, 3 or 4 channels.</exception>
    public static byte[] PackImage(ImageRecordHeader header, NDArray image, int quality = 95, string format = ".jpg") =>
        ImageRecord.Pack(header, Encode(image, quality, format));

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

    /// <summary>Encodes an image as JPEG, PNG or BMP.</summary>
    /// <param name="image">An (H, W, 1), (H, W, 3) RGB or (H, W, 4) RGBA uint8 image.</param>
    /// <param name="quality">JPEG quality 1-100; for PNG the compression level, clamped to 0-9.</param>
    /// <param name="format"><c>.jpg</c>/<c>.jpeg</c>, <c>.png</c> or <c>.bmp</c> (any case).</param>
    /// <returns>The encoded bytes.</returns>
    /// <exception cref="ArgumentException">The format is unknown or the image is not uint8 with 1, 3 or 4 channels.</exception>
    public static byte[] Encode(NDArray image, int quality = 95, string format = ".jpg")
    {
        ArgumentNullException.ThrowIfNull(format);
        (int h, int w, int c) = CheckImage(image);
        if (image.DType != DType.UInt8 || c is not (1 or 3 or 4))
        {
            throw new ArgumentException($"Only uint8 images with 1, 3 or 4 channels can be encoded; this one is {image.DType.ToNumPyName()} with {c}.", nameof(image));
        }

        IImageEncoder encoder = format.ToUpperInvariant() switch
        {
            ".JPG" or ".JPEG" => new JpegEncoder { Quality = Math.Clamp(quality, 1, 100) },
            ".PNG" => new PngEncoder { CompressionLevel = (PngCompressionLevel)Math.Clamp(quality, 0, 9) },
            ".BMP" => new BmpEncoder(),
            _ => throw new ArgumentException($"Unknown image format '{format}'; use .jpg, .png or .bmp.", nameof(format)),
        };

        using var stream = new MemoryStream();
        ReadOnlySpan<byte> pixels = image.AsBytes();
        switch (c)
        {
            case 1:
                using (Image<L8> gray = Image.LoadPixelData<L8>(pixels, w, h)) gray.Save(stream, encoder);
                break;
            case 3:
                using (Image<Rgb24> rgb = Image.LoadPixelData<Rgb24>(pixels, w, h)) rgb.Save(stream, encoder);
                break;
            default:
                using (Image<Rgba32> rgba = Image.LoadPixelData<Rgba32>(pixels, w, h)) rgba.Save(stream, encoder);
                break;
        }

        return stream.ToArray();
    }

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

    internal static NDArray ToFloat32(NDArray src)
    {
        NDArray result = NDArray.Empty(DType.Float32, src.Shape);
        System.Numerics.Tensors.TensorPrimitives.ConvertChecked<byte, float>(src.AsSpan<byte>(), result.AsSpan<float>());
        return result;
    }

    /// <summary>OpenCV's <c>borderInterpolate</c>: the source index for an index outside the image, or -1 for the constant border.</summary>
    internal static int BorderInterpolate(int p, int length, int type)
    {
        if ((uint)p < (uint)length) return p;
        switch (type)
        {
            case 1:
                return p < 0 ? 0 : length - 1;
            case 2:
            case 4:
                int delta = type == 4 ? 1 : 0;
                if (length == 1) return 0;
                do
                {
                    p = p < 0 ? -p - 1 + delta : length - 1 - (p - length) - delta;
                }
                while ((uint)p >= (uint)length);
                return p;
            case 3:
                if (p < 0) p -= ((p - length + 1) / length) * length;
                if (p >= length) p %= length;
                return p;
            default:
                return -1;
        }
    }

    private static void FillValue(DType dtype, float value, int channels, Span<byte> fill)
    {
        for (int c = 0; c < channels; c++)
        {
            if (dtype == DType.UInt8)
            {
                fill[c] = (byte)Math.Clamp(MathF.Round(value), 0, 255);
            }
            else
            {
                System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(fill[(c * 4)..], value);
            }
        }
    }

    private static float[] ChannelPattern(float[] values, int channels, int width, string name)
    {
        if (values.Length != 1 && values.Length != channels)
        {
            throw new ArgumentException($"{name} has {values.Length} values; the image has {channels} channels (give 1 or {channels}).", name);
        }

        float[] row = new float[width * channels];
        for (int i = 0; i < row.Length; i++) row[i] = values.Length == 1 ? values[0] : values[i % channels];
        return row;
    }

    private static void CheckSize((int Width, int Height) size)
    {
        if (size.Width <= 0 || size.Height <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "The crop size must be positive.");
    }

    private static NDArray CopyRgb(Image<Rgb24> image)
    {
        NDArray result = NDArray.Empty(DType.UInt8, image.Height, image.Width, 3);
        image.CopyPixelDataTo(result.AsBytes());
        return result;
    }

    private static NDArray CopyPixels<TPixel>(Image<TPixel> image, int channels)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        NDArray result = NDArray.Empty(DType.UInt8, image.Height, image.Width, channels);
        image.CopyPixelDataTo(result.AsBytes());
        return result;
    }

    private static NDArray CopyLuma(Image<Rgb24> image)
    {
        // OpenCV's RGB->gray in fixed point (BT.601: 0.299, 0.587, 0.114).
        NDArray result = NDArray.Empty(DType.UInt8, image.Height, image.Width, 1);
        int width = image.Width;
        image.ProcessPixelRows(accessor =>
        {
            Span<byte> luma = result.AsBytes();
            for (int y = 0; y < accessor.Height; y++)
            {
                Span<Rgb24> row = accessor.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    Rgb24 p = row[x];
                    luma[(y * width) + x] = (byte)(((p.R * 4899) + (p.G * 9617) + (p.B * 1868) + 8192) >> 14);
                }
            }
        });
        return result;
    }

    /// <summary>Reads only the header: refuses empty, unknown or over-limit images before any pixel is allocated.</summary>
    private static IImageInfo CheckHeader(ReadOnlySpan<byte> encoded, long maxPixels)
    {
        if (encoded.IsEmpty) throw new ImageDecodeException("Cannot decode an empty buffer as an image.");
        IImageInfo? info;
        try
        {
            info = Identify(encoded);
        }
        catch (Exception error) when (error is ImageFormatException or InvalidImageContentException or NotSupportedException or InvalidOperationException or IndexOutOfRangeException or ArgumentException)
        {
            throw new ImageDecodeException($"The {encoded.Length}-byte buffer has an unreadable image header: {error.Message}", error);
        }

        if (info is null)
        {
            throw new ImageDecodeException($"The {encoded.Length}-byte buffer (starting {Convert.ToHexString(encoded[..Math.Min(8, encoded.Length)])}) is not a JPEG, PNG, BMP or GIF image.");
        }

        if (info.Width <= 0 || info.Height <= 0 || (long)info.Width * info.Height > maxPixels)
        {
            throw new ImageDecodeException(string.Create(CultureInfo.InvariantCulture, $"The image header claims {info.Width}x{info.Height} pixels; the limit is {maxPixels} (ImageDecodeOptions.MaxPixels)."));
        }

        return info;
    }

    private static unsafe IImageInfo? Identify(ReadOnlySpan<byte> encoded)
    {
        // ImageSharp 2 identifies from a stream; wrap the span without copying it.
        fixed (byte* bytes = encoded)
        {
            using var stream = new UnmanagedMemoryStream(bytes, encoded.Length);
            return Image.Identify(s_configuration, stream, out _);
        }
    }

    private static Configuration CreateConfiguration()
    {
        Configuration configuration = Configuration.Default.Clone();

        // Decode only the first frame of a GIF, as OpenCV does: an animation's frames are never allocated.
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }
}
