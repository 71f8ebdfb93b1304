using System.Globalization;
using Pipeline.Core;
using Pipeline.Stages.Imaging.Internal;

namespace Pipeline.Stages.Imaging;

public static partial class ImageOps
{
    /// <summary>Resizes to exactly (width, height), as MXNet's <c>imresize</c> (OpenCV's <c>cv::resize</c>), with MXNet's integer interpolation code.</summary>
    /// <param name="src">An (H, W, C) uint8 or float32 image.</param>
    /// <param name="width">The new width.</param>
    /// <param name="height">The new height.</param>
    /// <param name="interp">0 nearest, 1 bilinear, 2 bicubic, 3 area, 4 Lanczos-4 (the <see cref="Interpolation"/> values).</param>
    /// <returns>A new image of the same type.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive or <paramref name="interp"/> is not 0-4 (9 and 10 belong to <see cref="ResolveInterp"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="src"/> is not an (H, W, C) uint8 or float32 image.</exception>
    public static NDArray Resize(NDArray src, int width, int height, int interp = 1) =>
        Resize(src, width, height, (Interpolation)interp);

    /// <summary>Resizes to exactly (width, height), as MXNet's <c>imresize</c> (OpenCV's <c>cv::resize</c>).</summary>
    /// <param name="src">An (H, W, C) uint8 or float32 image.</param>
    /// <param name="width">The new width.</param>
    /// <param name="height">The new height.</param>
    /// <param name="interp"><see cref="Interpolation.Nearest"/> to <see cref="Interpolation.Lanczos4"/>.</param>
    /// <returns>A new image of the same type.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive or <paramref name="interp"/> is <see cref="Interpolation.Auto"/>, <see cref="Interpolation.Random"/> (resolve those with <see cref="ResolveInterp"/>) or undefined.</exception>
    /// <exception cref="ArgumentException"><paramref name="src"/> is not an (H, W, C) uint8 or float32 image.</exception>
    public static NDArray Resize(NDArray src, int width, int height, Interpolation interp)
    {
        (int h, int w, int c) = CheckImage(src);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (interp is < Interpolation.Nearest or > Interpolation.Lanczos4)
        {
            throw new ArgumentOutOfRangeException(nameof(interp), interp, "Resize takes interpolation codes 0-4 (nearest, bilinear, bicubic, area, Lanczos-4); resolve 9 (auto) and 10 (random) with ResolveInterp first.");
        }

        NDArray dst = NewImage(src.DType, height, width, c);
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
    /// <param name="window">The rectangle to keep, in resized coordinates.</param>
    /// <param name="interp"><see cref="Interpolation.Nearest"/> to <see cref="Interpolation.Lanczos4"/>.</param>
    /// <returns>A new image equal to <c>FixedCrop(Resize(src, width, height, interp), window)</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, the window is outside the resized image, or <paramref name="interp"/> is not <see cref="Interpolation.Nearest"/> to <see cref="Interpolation.Lanczos4"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="src"/> is not an (H, W, C) uint8 or float32 image.</exception>
    /// <remarks>The pipeline's fast path for resize-short followed by a crop: the discarded margins are never computed.</remarks>
    public static NDArray ResizeCrop(NDArray src, int width, int height, ImageRect window, Interpolation interp = Interpolation.Bilinear)
    {
        (int h, int w, int c) = CheckImage(src);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (interp is < Interpolation.Nearest or > Interpolation.Lanczos4) throw new ArgumentOutOfRangeException(nameof(interp), interp, "ResizeCrop takes interpolation codes 0-4.");
        if (window.Width <= 0 || window.Height <= 0 || window.X < 0 || window.Y < 0 || window.X + window.Width > width || window.Y + window.Height > height)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, $"The window is empty or outside the {width}x{height} resized image.");
        }

        NDArray dst = NewImage(src.DType, window.Height, window.Width, c);
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
    internal static NDArray ResizeCropPixels(ReadOnlySpan<byte> pixels, int h, int w, int c, int width, int height, ImageRect window, Interpolation interp)
    {
        NDArray dst = NewImage(DType.UInt8, window.Height, window.Width, c);
        Resampler.Resize<byte, byte>(pixels, w, h, c, dst.AsSpan<byte>(), width, height, interp, window);
        return dst;
    }

    /// <summary>Resolves <see cref="Interpolation.Auto"/> (MXNet's 9) and <see cref="Interpolation.Random"/> (10) to a method a resize takes, as <c>_get_interp_method</c>.</summary>
    /// <param name="interp">Any <see cref="Interpolation"/>.</param>
    /// <param name="sizes">(old height, old width, new height, new width), for <see cref="Interpolation.Auto"/>.</param>
    /// <param name="rng">The generator for <see cref="Interpolation.Random"/>.</param>
    /// <returns><see cref="Interpolation.Nearest"/> to <see cref="Interpolation.Lanczos4"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interp"/> is not a defined <see cref="Interpolation"/>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="interp"/> is <see cref="Interpolation.Random"/> and <paramref name="rng"/> is null.</exception>
    /// <remarks>
    /// <see cref="Interpolation.Auto"/> gives bicubic when enlarging both sides, area when shrinking both, bilinear otherwise,
    /// and bicubic without sizes. <see cref="Interpolation.Random"/> draws one number, <c>rng.Next(0, 5)</c>.
    /// </remarks>
    public static Interpolation ResolveInterp(Interpolation interp, (int OldHeight, int OldWidth, int NewHeight, int NewWidth)? sizes = null, Random? rng = null)
    {
        switch (interp)
        {
            case >= Interpolation.Nearest and <= Interpolation.Lanczos4:
                return interp;
            case Interpolation.Auto when sizes is { } s:
                if (s.NewHeight > s.OldHeight && s.NewWidth > s.OldWidth) return Interpolation.Bicubic;
                if (s.NewHeight < s.OldHeight && s.NewWidth < s.OldWidth) return Interpolation.Area;
                return Interpolation.Bilinear;
            case Interpolation.Auto:
                return Interpolation.Bicubic;
            case Interpolation.Random:
                ArgumentNullException.ThrowIfNull(rng);
                return (Interpolation)rng.Next(0, 5);
            default:
                throw new ArgumentOutOfRangeException(nameof(interp), interp, string.Create(CultureInfo.InvariantCulture, $"Unknown interpolation method {(int)interp}; use 0-4, 9 (auto) or 10 (random)."));
        }
    }

    /// <summary>Resizes so that the shorter side equals <paramref name="size"/>, as MXNet's <c>resize_short</c>, with MXNet's integer interpolation code.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="size">The new length of the shorter side.</param>
    /// <param name="interp">An interpolation code (0-4, 9 or 10; the <see cref="Interpolation"/> values).</param>
    /// <param name="rng">The generator for code 10.</param>
    /// <returns>A new image; the longer side is <c>size * long / short</c> rounded down.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive or <paramref name="interp"/> is unknown.</exception>
    public static NDArray ResizeShort(NDArray src, int size, int interp = 2, Random? rng = null) =>
        ResizeShort(src, size, (Interpolation)interp, rng);

    /// <summary>Resizes so that the shorter side equals <paramref name="size"/>, as MXNet's <c>resize_short</c>.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="size">The new length of the shorter side.</param>
    /// <param name="interp">The interpolation, resolved by <see cref="ResolveInterp"/> when it is <see cref="Interpolation.Auto"/> or <see cref="Interpolation.Random"/>.</param>
    /// <param name="rng">The generator for <see cref="Interpolation.Random"/>.</param>
    /// <returns>A new image; the longer side is <c>size * long / short</c> rounded down.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive or <paramref name="interp"/> is undefined.</exception>
    public static NDArray ResizeShort(NDArray src, int size, Interpolation interp, Random? rng = null)
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

    /// <summary>Crops a rectangle and optionally resizes it, as MXNet's <c>fixed_crop</c>, with MXNet's integer interpolation code.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="x0">The left column.</param>
    /// <param name="y0">The top row.</param>
    /// <param name="w">The crop width.</param>
    /// <param name="h">The crop height.</param>
    /// <param name="size">The (width, height) to resize the crop to, if different.</param>
    /// <param name="interp">An interpolation code (0-4 or 9; the <see cref="Interpolation"/> values).</param>
    /// <returns>A new image.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The rectangle is empty or not inside the image, or a size is not positive.</exception>
    public static NDArray FixedCrop(NDArray src, int x0, int y0, int w, int h, (int Width, int Height)? size = null, int interp = 2) =>
        FixedCrop(src, x0, y0, w, h, size, (Interpolation)interp, rng: null);

    /// <summary>Crops a rectangle and optionally resizes it, as MXNet's <c>fixed_crop</c>.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="x0">The left column.</param>
    /// <param name="y0">The top row.</param>
    /// <param name="w">The crop width.</param>
    /// <param name="h">The crop height.</param>
    /// <param name="size">The (width, height) to resize the crop to, if different.</param>
    /// <param name="interp">The interpolation of that resize, resolved by <see cref="ResolveInterp"/>.</param>
    /// <param name="rng">The generator for <see cref="Interpolation.Random"/>.</param>
    /// <returns>A new image.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The rectangle is empty or not inside the image, or a size is not positive.</exception>
    public static NDArray FixedCrop(NDArray src, int x0, int y0, int w, int h, (int Width, int Height)? size, Interpolation interp, Random? rng = null)
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

    /// <summary>Crops a random rectangle of <paramref name="size"/> (scaled down to fit), as MXNet's <c>random_crop</c>, with MXNet's integer interpolation code.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="size">The output (width, height).</param>
    /// <param name="rng">The generator (x drawn first, then y).</param>
    /// <param name="interp">An interpolation code for the resize to <paramref name="size"/> (the <see cref="Interpolation"/> values).</param>
    /// <returns>The crop, always of <paramref name="size"/>, and the rectangle taken from the source.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
    public static (NDArray Image, (int X, int Y, int Width, int Height) Rect) RandomCrop(NDArray src, (int Width, int Height) size, Random rng, int interp = 2)
    {
        (NDArray image, ImageRect rect) = RandomCrop(src, size, rng, (Interpolation)interp);
        return (image, rect);
    }

    /// <summary>Crops a random rectangle of <paramref name="size"/> (scaled down to fit), as MXNet's <c>random_crop</c>.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="size">The output (width, height).</param>
    /// <param name="rng">The generator (x drawn first, then y).</param>
    /// <param name="interp">The interpolation of the resize to <paramref name="size"/>.</param>
    /// <returns>The crop, always of <paramref name="size"/>, and the rectangle taken from the source.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
    public static (NDArray Image, ImageRect Rect) RandomCrop(NDArray src, (int Width, int Height) size, Random rng, Interpolation interp)
    {
        ArgumentNullException.ThrowIfNull(rng);
        (int h, int w, _) = CheckImage(src);
        CheckSize(size);
        (int newW, int newH) = ScaleDown((w, h), size);
        if (newW <= 0 || newH <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, $"A {size.Width}x{size.Height} crop scaled to fit the {w}x{h} image is empty.");
        int x0 = rng.Next(0, w - newW + 1);
        int y0 = rng.Next(0, h - newH + 1);
        return (FixedCrop(src, x0, y0, newW, newH, size, interp, rng), new ImageRect(x0, y0, newW, newH));
    }

    /// <summary>Crops the centre rectangle of <paramref name="size"/> (scaled down to fit), as MXNet's <c>center_crop</c>, with MXNet's integer interpolation code.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="size">The output (width, height).</param>
    /// <param name="interp">An interpolation code for the resize to <paramref name="size"/> (the <see cref="Interpolation"/> values).</param>
    /// <returns>The crop, always of <paramref name="size"/>, and the rectangle taken from the source.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
    public static (NDArray Image, (int X, int Y, int Width, int Height) Rect) CenterCrop(NDArray src, (int Width, int Height) size, int interp = 2)
    {
        (NDArray image, ImageRect rect) = CenterCrop(src, size, (Interpolation)interp);
        return (image, rect);
    }

    /// <summary>Crops the centre rectangle of <paramref name="size"/> (scaled down to fit), as MXNet's <c>center_crop</c>.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="size">The output (width, height).</param>
    /// <param name="interp">The interpolation of the resize to <paramref name="size"/> (not <see cref="Interpolation.Random"/>: there is no generator).</param>
    /// <returns>The crop, always of <paramref name="size"/>, and the rectangle taken from the source.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
    public static (NDArray Image, ImageRect Rect) CenterCrop(NDArray src, (int Width, int Height) size, Interpolation interp)
    {
        (int h, int w, _) = CheckImage(src);
        CheckSize(size);
        (int newW, int newH) = ScaleDown((w, h), size);
        if (newW <= 0 || newH <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, $"A {size.Width}x{size.Height} crop scaled to fit the {w}x{h} image is empty.");
        int x0 = (w - newW) / 2;
        int y0 = (h - newH) / 2;
        return (FixedCrop(src, x0, y0, newW, newH, size, interp, rng: null), new ImageRect(x0, y0, newW, newH));
    }

    /// <summary>Crops a random rectangle of random area and aspect ratio, resized to <paramref name="size"/>, as MXNet's <c>random_size_crop</c>, with MXNet's integer interpolation code.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="size">The output (width, height).</param>
    /// <param name="minArea">The smallest fraction of the source area to take (the largest is 1).</param>
    /// <param name="ratio">The (min, max) width/height ratio, drawn log-uniformly.</param>
    /// <param name="rng">The generator (per attempt: area, ratio, then x, y).</param>
    /// <param name="interp">An interpolation code for the resize to <paramref name="size"/> (the <see cref="Interpolation"/> values).</param>
    /// <returns>The crop, always of <paramref name="size"/>, and the rectangle taken from the source.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    /// <remarks>After 10 attempts that do not fit, falls back to <c>CenterCrop</c> of <paramref name="size"/> (MXNet's behaviour). An attempt that rounds to an empty crop counts as a failure.</remarks>
    public static (NDArray Image, (int X, int Y, int Width, int Height) Rect) RandomSizeCrop(NDArray src, (int Width, int Height) size, double minArea, (double Min, double Max) ratio, Random rng, int interp = 2)
    {
        (NDArray image, ImageRect rect) = RandomSizeCrop(src, size, (minArea, 1.0), ratio, rng, (Interpolation)interp);
        return (image, rect);
    }

    /// <summary>Crops a random rectangle of random area and aspect ratio, resized to <paramref name="size"/>, as MXNet's <c>random_size_crop</c>.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="size">The output (width, height).</param>
    /// <param name="minArea">The smallest fraction of the source area to take (the largest is 1).</param>
    /// <param name="ratio">The (min, max) width/height ratio, drawn log-uniformly.</param>
    /// <param name="rng">The generator (per attempt: area, ratio, then x, y).</param>
    /// <param name="interp">The interpolation of the resize to <paramref name="size"/>.</param>
    /// <returns>The crop, always of <paramref name="size"/>, and the rectangle taken from the source.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    /// <remarks>After 10 attempts that do not fit, falls back to <c>CenterCrop</c> of <paramref name="size"/> (MXNet's behaviour). An attempt that rounds to an empty crop counts as a failure.</remarks>
    public static (NDArray Image, ImageRect Rect) RandomSizeCrop(NDArray src, (int Width, int Height) size, double minArea, (double Min, double Max) ratio, Random rng, Interpolation interp) =>
        RandomSizeCrop(src, size, (minArea, 1.0), ratio, rng, interp);

    /// <summary>Crops a random rectangle whose area fraction is drawn from <paramref name="area"/>, resized to <paramref name="size"/>.</summary>
    /// <param name="src">An (H, W, C) image.</param>
    /// <param name="size">The output (width, height).</param>
    /// <param name="area">The (min, max) fraction of the source area.</param>
    /// <param name="ratio">The (min, max) width/height ratio, drawn log-uniformly.</param>
    /// <param name="rng">The generator.</param>
    /// <param name="interp">The interpolation of the resize to <paramref name="size"/>.</param>
    /// <returns>The crop and the rectangle taken from the source.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static (NDArray Image, ImageRect Rect) RandomSizeCrop(NDArray src, (int Width, int Height) size, (double Min, double Max) area, (double Min, double Max) ratio, Random rng, Interpolation interp = Interpolation.Bicubic)
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
                return (FixedCrop(src, x0, y0, newW, newH, size, interp, rng), new ImageRect(x0, y0, newW, newH));
            }
        }

        return CenterCrop(src, size, interp);
    }

    private static void CheckSize((int Width, int Height) size)
    {
        if (size.Width <= 0 || size.Height <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "The crop size must be positive.");
    }
}
