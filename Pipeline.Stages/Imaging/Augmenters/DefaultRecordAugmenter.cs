using Pipeline.Core;
using Pipeline.Stages.Imaging.Internal;

namespace Pipeline.Stages.Imaging;

/// <summary>MXNet's <c>aug_default</c> (DefaultImageAugmenter) on uint8 HWC RGB images, in its exact order: resize, affine, pad, crop, colour jitter, HLS jitter, PCA noise.</summary>
/// <remarks>
/// Every step stays 8-bit (rounding and saturating) as MXNet's does. Contrast and saturation use MXNet's swapped luma
/// weights (0.114 R + 0.587 G + 0.299 B: MXNet converts its BGR buffer with RGB2GRAY), reproduced per decision 9 in docs/architecture.md.
/// Resize followed by a native-resolution crop runs fused (<see cref="ImageOps.ResizeCrop"/>), drawing the same numbers.
/// </remarks>
internal sealed class DefaultRecordAugmenter : Augmenter, IDecodedPixelsAugmenter
{
    // Copied once from Augmenters' constants: ImageNetEigvec hands out a new array on every read.
    private static readonly float[] s_eigval = [.. Augmenters.ImageNetEigval];
    private static readonly float[,] s_eigvec = Augmenters.ImageNetEigvec;
    private readonly DefaultAugmenterSettings _o;
    private readonly int _width;
    private readonly int _height;
    private readonly byte _fill;

    public DefaultRecordAugmenter(DefaultAugmenterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _o = settings;
        _height = settings.OutputHeight;
        _width = settings.OutputWidth;
        _fill = (byte)settings.FillValue;
    }

    /// <summary>Gets whether the whole augmentation can run straight from decoded pixels (resize, then a native-resolution crop).</summary>
    public bool Fusable => _o.Resize > 0 && !_o.AffineActive && _o.Pad == 0 && !CropModeA && !CropModeB;

    /// <inheritdoc />
    public bool AcceptsDecodedPixels => Fusable;

    public override NDArray Apply(NDArray src, Random rng)
    {
        NDArray image = src;
        if (Fusable) return FusedResizeCrop(image, rng);

        if (_o.Resize > 0) image = ResizeShorter(image, rng);
        if (_o.AffineActive) image = Affine(image, rng);
        if (_o.Pad > 0) image = Replace(image, s => ImageOps.CopyMakeBorder(s, _o.Pad, _o.Pad, _o.Pad, _o.Pad, BorderType.Constant, _fill));
        image = Crop(image, rng);
        return ColorSteps(image, rng);
    }

    private bool CropModeA => _o.RandomResizedCrop && ((_o.MinRandomArea, _o.MaxRandomArea) != (1f, 1f) || _o.AspectRange != (1f, 1f));

    private bool CropModeB => !_o.RandomResizedCrop && (_o.MaxCropSize != -1 || _o.MinCropSize != -1);

    /// <summary>MXNet's GetInterMethod: 9 picks by direction, 10 draws 0-4.</summary>
    private Interpolation Interp(int oldW, int oldH, int newW, int newH, Random rng) => _o.InterMethod switch
    {
        Interpolation.Auto when newW > oldW && newH > oldH => Interpolation.Bicubic,
        Interpolation.Auto when newW < oldW && newH < oldH => Interpolation.Area,
        Interpolation.Auto => Interpolation.Bilinear,
        Interpolation.Random => (Interpolation)rng.Next(0, 5),
        _ => _o.InterMethod,
    };

    private (int Width, int Height) ShorterSide(int cols, int rows) =>
        rows > cols ? (_o.Resize, (int)((long)_o.Resize * rows / cols)) : ((int)((long)_o.Resize * cols / rows), _o.Resize);

    private NDArray ResizeShorter(NDArray image, Random rng)
    {
        (int rows, int cols, _) = ImageOps.CheckImage(image);
        (int nw, int nh) = ShorterSide(cols, rows);
        Interpolation interp = Interp(cols, rows, nw, nh, rng);
        return Replace(image, s => ImageOps.Resize(s, nw, nh, interp));
    }

    /// <summary>The fused path on decoded uint8 pixels (the decoder's own buffer, or an image's): same draws and result as the steps one by one.</summary>
    public NDArray FromPixels(ReadOnlySpan<byte> pixels, int rows, int cols, int channels, Random rng) =>
        FromPixels(pixels, rows, cols, channels, rng, rows, cols);

    /// <inheritdoc />
    public (int Width, int Height) ResizeTarget(int width, int height) => ShorterSide(width, height);

    /// <summary>The fused path on pixels decoded at a reduced scale: the resize size and the draws follow the full-size source.</summary>
    public NDArray FromPixels(ReadOnlySpan<byte> pixels, int rows, int cols, int channels, Random rng, int sourceRows, int sourceCols)
    {
        (int nw, int nh) = ShorterSide(sourceCols, sourceRows);

        // The same refusal as the step-by-step resize's, though the fused path never allocates the whole resized image.
        ImageOps.CheckOutputSize(nh, nw);
        Interpolation resizeInterp = Interp(sourceCols, sourceRows, nw, nh, rng);
        Interpolation cropInterp = Interp(nw, nh, _width, _height, rng);
        if (nh < _height || nw < _width)
        {
            // The crop step would enlarge again: run the steps one by one.
            NDArray resized = ImageOps.NewImage(DType.UInt8, nh, nw, channels);
            Resampler.Resize<byte, byte>(pixels, cols, rows, channels, resized.AsSpan<byte>(), nw, nh, resizeInterp);
            return ColorSteps(NativeCrop(resized, cropInterp, rng), rng);
        }

        (int x, int y) = CropOffsets(nw, nh, _width, _height, rng);
        return ColorSteps(ImageOps.ResizeCropPixels(pixels, rows, cols, channels, nw, nh, new ImageRect(x, y, _width, _height), resizeInterp), rng);
    }

    private NDArray FusedResizeCrop(NDArray image, Random rng)
    {
        (int rows, int cols, int channels) = ImageOps.CheckImage(image);
        using (image)
        {
            return FromPixels(image.AsSpan<byte>(), rows, cols, channels, rng);
        }
    }

    private (int X, int Y) CropOffsets(int cols, int rows, int w, int h, Random rng)
    {
        int y = rows - h;
        int x = cols - w;
        if (_o.RandCrop)
        {
            y = rng.Next(0, y + 1);
            x = rng.Next(0, x + 1);
        }
        else
        {
            y /= 2;
            x /= 2;
        }

        return (x, y);
    }

    private NDArray Affine(NDArray image, Random rng)
    {
        (int rows, int cols, _) = ImageOps.CheckImage(image);
        double shear = (rng.NextDouble() * 2 * _o.MaxShearRatio) - _o.MaxShearRatio;
        int angle = _o.MaxRotateAngle > 0 ? rng.Next(-_o.MaxRotateAngle, _o.MaxRotateAngle + 1) : 0;
        if (_o.Rotate > 0) angle = _o.Rotate;
        if (_o.RotateList is { Length: > 0 } list) angle = list[rng.Next(0, list.Length)];
        double scale = 1;
        double ratio = 1;
        if (!_o.RandomResizedCrop)
        {
            scale = (rng.NextDouble() * (_o.MaxRandomScale - _o.MinRandomScale)) + _o.MinRandomScale;
            (float minAr, float maxAr) = _o.AspectRange;
            ratio = (rng.NextDouble() * (maxAr - minAr)) + minAr;
        }

        double hs = 2 * scale / (1 + ratio);
        double ws = ratio * hs;
        double a = Math.Cos(angle * Math.PI / 180);
        double b = Math.Sin(angle * Math.PI / 180);
        double m00 = (hs * a) - (shear * b * ws);
        double m01 = (hs * b) + (shear * a * ws);
        double m10 = -b * ws;
        double m11 = a * ws;
        double newW = Math.Clamp(scale * cols, _o.MinImgSize, _o.MaxImgSize);
        double newH = Math.Clamp(scale * rows, _o.MinImgSize, _o.MaxImgSize);
        int canvasW = Math.Max(1, (int)newW);
        int canvasH = Math.Max(1, (int)newH);
        double tx = (newW - ((m00 * cols) + (m01 * rows))) / 2;
        double ty = (newH - ((m10 * cols) + (m11 * rows))) / 2;
        Interpolation interp = Interp(cols, rows, canvasW, canvasH, rng);
        if (interp == Interpolation.Area) interp = Interpolation.Bilinear;
        double[] forward = [m00, m01, tx, m10, m11, ty];
        return Replace(image, s => Warp.Affine(s, forward, canvasW, canvasH, interp, _fill));
    }

    private NDArray Crop(NDArray image, Random rng)
    {
        (int rows, int cols, _) = ImageOps.CheckImage(image);
        if (CropModeA)
        {
            double area = (double)rows * cols;
            (float minAr, float maxAr) = _o.AspectRange;
            for (int attempt = 0; attempt < 10; attempt++)
            {
                double fraction = _o.MinRandomArea + ((_o.MaxRandomArea - _o.MinRandomArea) * rng.NextDouble());
                double r = minAr + ((maxAr - minAr) * rng.NextDouble());
                int h = (int)Math.Round(Math.Sqrt(area * fraction / r), MidpointRounding.AwayFromZero);
                int w = (int)Math.Round(Math.Sqrt(area * fraction * r), MidpointRounding.AwayFromZero);
                if (rng.NextDouble() > 0.5) (w, h) = (h, w);
                if (h > 0 && w > 0 && h <= rows && w <= cols)
                {
                    int y = rng.Next(0, rows - h + 1);
                    int x = rng.Next(0, cols - w + 1);
                    Interpolation interp = Interp(w, h, _width, _height, rng);
                    return Replace(image, s => ImageOps.FixedCrop(s, x, y, w, h, (_width, _height), interp));
                }
            }
        }
        else if (CropModeB)
        {
            if (cols < _o.MaxCropSize || rows < _o.MaxCropSize)
            {
                throw new ImagingException($"The {cols}x{rows} image is smaller than MaxCropSize {_o.MaxCropSize}.");
            }

            int side = rng.Next(_o.MinCropSize, _o.MaxCropSize + 1);
            (int x, int y) = CropOffsets(cols, rows, side, side, rng);
            Interpolation interp = Interp(side, side, _width, _height, rng);
            return Replace(image, s => ImageOps.FixedCrop(s, x, y, side, side, (_width, _height), interp));
        }

        return NativeCrop(image, Interp(cols, rows, _width, _height, rng), rng);
    }

    /// <summary>Step 4c/d: enlarge only if smaller than the output, then take a window at native resolution.</summary>
    private NDArray NativeCrop(NDArray image, Interpolation interp, Random rng)
    {
        (int rows, int cols, _) = ImageOps.CheckImage(image);
        if (rows < _height)
        {
            int nw = (int)((double)_height / rows * cols);
            image = Replace(image, s => ImageOps.Resize(s, nw, _height, interp));
            (rows, cols, _) = ImageOps.CheckImage(image);
        }

        if (cols < _width)
        {
            int nh = (int)((double)_width / cols * rows);
            image = Replace(image, s => ImageOps.Resize(s, _width, nh, interp));
            (rows, cols, _) = ImageOps.CheckImage(image);
        }

        (int x, int y) = CropOffsets(cols, rows, _width, _height, rng);
        return cols == _width && rows == _height ? image : Replace(image, s => ImageOps.FixedCrop(s, x, y, _width, _height));
    }

    private NDArray ColorSteps(NDArray image, Random rng)
    {
        if (_o.Brightness > 0 || _o.Contrast > 0 || _o.Saturation > 0) Jitter(image, rng);
        if (_o.RandomH != 0 || _o.RandomS != 0 || _o.RandomL != 0) HlsJitter(image, rng);
        if (_o.PcaNoise > 0) Lighting(image, rng);
        return image;
    }

    private void Jitter(NDArray image, Random rng)
    {
        float ab = 1f + Uniform(rng, _o.Brightness);
        float ac = 1f + Uniform(rng, _o.Contrast);
        float sat = 1f + Uniform(rng, _o.Saturation);
        Span<int> order = [0, 1, 2];
        rng.Shuffle(order);
        Span<byte> p = image.AsSpan<byte>();
        foreach (int step in order)
        {
            if (step == 0 && _o.Brightness > 0)
            {
                for (int i = 0; i < p.Length; i++) p[i] = Saturate(p[i] * ab);
            }
            else if (step == 1 && _o.Contrast > 0)
            {
                double sum = 0;
                for (int i = 0; i < p.Length; i += 3) sum += SwappedGray(p, i);
                float g = (float)(sum / (p.Length / 3)) * (1 - ac);
                for (int i = 0; i < p.Length; i++) p[i] = Saturate((p[i] * ac) + g);
            }
            else if (step == 2 && _o.Saturation > 0)
            {
                for (int i = 0; i < p.Length; i += 3)
                {
                    float gray = SwappedGray(p, i) * (1 - sat);
                    p[i] = Saturate((sat * p[i]) + gray);
                    p[i + 1] = Saturate((sat * p[i + 1]) + gray);
                    p[i + 2] = Saturate((sat * p[i + 2]) + gray);
                }
            }
        }
    }

    /// <summary>OpenCV's RGB2GRAY applied to MXNet's BGR buffer, i.e. 0.114 R + 0.587 G + 0.299 B on ours, rounded to 8 bits.</summary>
    private static int SwappedGray(ReadOnlySpan<byte> p, int i) => ((p[i] * 1868) + (p[i + 1] * 9617) + (p[i + 2] * 4899) + 8192) >> 14;

    private void HlsJitter(NDArray image, Random rng)
    {
        int Draw(int amount)
        {
            double t = (rng.NextDouble() + (4 * rng.NextDouble())) / 5;
            return (int)((t * 2 * amount) - amount);
        }

        int dh = Draw(_o.RandomH);
        int ds = Draw(_o.RandomS);
        int dl = Draw(_o.RandomL);
        Span<byte> p = image.AsSpan<byte>();
        for (int i = 0; i < p.Length; i += 3)
        {
            (int h, int l, int s) = Hls.FromRgb(p[i], p[i + 1], p[i + 2]);
            (p[i], p[i + 1], p[i + 2]) = Hls.ToRgb(Math.Clamp(h + dh, 0, 180), Math.Clamp(l + dl, 0, 255), Math.Clamp(s + ds, 0, 255));
        }
    }

    private void Lighting(NDArray image, Random rng)
    {
        Span<double> alpha = stackalloc double[3];
        for (int j = 0; j < 3; j++)
        {
            double u1 = 1.0 - rng.NextDouble();
            double u2 = rng.NextDouble();
            alpha[j] = _o.PcaNoise * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }

        Span<double> delta = stackalloc double[3];
        for (int c = 0; c < 3; c++)
        {
            for (int j = 0; j < 3; j++) delta[c] += s_eigval[j] * s_eigvec[c, j] * alpha[j];
        }

        Span<byte> p = image.AsSpan<byte>();
        for (int i = 0; i < p.Length; i++) p[i] = (byte)Math.Clamp((int)(p[i] + delta[i % 3]), 0, 255);
    }

    private static byte Saturate(float value) => (byte)Math.Clamp(MathF.Round(value), 0, 255);
}
