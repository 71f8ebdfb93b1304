using Pipeline.Core;
using Pipeline.Stages.Imaging.Internal;

namespace Pipeline.Stages.Imaging;

/// <summary>MXNet's C++ <c>det_aug_default</c>, the augmenter of <c>ImageDetRecordIter</c>: shorter-side resize, HLS and contrast jitter, mirror, random pad (zoom out), constrained random crop with crop samplers, and the final fit to the data shape.</summary>
/// <remarks>
/// <para>Pad and crop are fused: the pad only places the image on a virtual canvas, and the crop (or the whole canvas) is made in one
/// step with the fill colour where it lies outside the image, so the padded image is never allocated. Boxes follow the integer pixel
/// rectangles actually cut, so a box keeps enclosing its object to the pixel (MXNet projects boxes with the unrounded rectangle).</para>
/// <para>Departures from MXNet 1.9.1, where its code contradicts its own description: a sampler's overlap and coverage constraints each apply
/// when set (MXNet checks them only when all six are set, so a sampler with only <c>min_crop_overlaps</c> was unconstrained); the crop's
/// aspect-ratio draw is bounded by <c>1 / scale²</c> (MXNet's <c>1. / new_scale * new_scale</c> is 1); nearest-neighbour
/// interpolation (0) is accepted, as the parameter's description says.</para>
/// <para>With <see cref="DetResizeMode.Shrink"/> and <see cref="DetResizeMode.Fit"/> the result may be smaller than the data shape.</para>
/// </remarks>
internal sealed class DefaultDetRecordAugmenter : DetAugmenter
{
    private readonly DetRecordAugmenterSettings _o;

    public DefaultDetRecordAugmenter(DetRecordAugmenterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _o = settings;
    }

    public DetRecordAugmenterSettings Settings => _o;

    public override (NDArray Image, float[,] Label) Apply(NDArray src, float[,] label, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        CheckLabel(label);
        NDArray image = src;
        try
        {
            (int rows, int cols, _) = ImageOps.CheckImage(image);
            if (_o.Resize != -1)
            {
                (int newH, int newW) = rows > cols ? ((int)((long)_o.Resize * rows / cols), _o.Resize) : (_o.Resize, (int)((long)_o.Resize * cols / rows));
                image = ResizeOwned(image, newW, newH, rng);
                (rows, cols, _) = ImageOps.CheckImage(image);
            }

            Color(image, rng);
            if (_o.RandMirrorProb > 0 && rng.NextSingle() < _o.RandMirrorProb)
            {
                HorizontalFlipAug.Flip(image.AsBytes(), rows, cols, image.GetLength(2));
                label = DetHorizontalFlipAug.FlipBoxes(label);
            }

            // The canvas: the image at (padLeft, padTop) of a (canvasW x canvasH) area of fill colour.
            int padLeft = 0, padTop = 0, canvasW = cols, canvasH = rows;
            if (_o.RandPadProb > 0 && _o.MaxPadScale > 1 && rng.NextSingle() < _o.RandPadProb)
            {
                float scale = Uniform(rng, 1f, _o.MaxPadScale);
                if (scale >= 1.05f)
                {
                    float x0 = Uniform(rng, 0f, scale - 1), y0 = Uniform(rng, 0f, scale - 1);
                    padLeft = (int)(x0 * cols);
                    padTop = (int)(y0 * rows);
                    canvasW = cols + padLeft + (int)((scale - x0 - 1) * cols);
                    canvasH = rows + padTop + (int)((scale - y0 - 1) * rows);
                    ImageOps.CheckOutputSize(canvasH, canvasW);
                    label = Project(label, new ImageRect(-padLeft, -padTop, canvasW, canvasH), cols, rows);
                }
            }

            ImageRect window = new(0, 0, canvasW, canvasH);
            if (_o.RandCropProb > 0 && _o.Samplers.Length > 0 && rng.NextSingle() < _o.RandCropProb && Crop(label, canvasW, canvasH, rng) is { } crop)
            {
                window = crop.Window;
                label = crop.Label;
            }

            if (padLeft != 0 || padTop != 0 || window != new ImageRect(0, 0, cols, rows))
            {
                NDArray cut = ImageOps.CropWithFill(image, window with { X = window.X - padLeft, Y = window.Y - padTop }, [_o.FillValue]);
                image.Dispose();
                image = cut;
                (rows, cols) = (window.Height, window.Width);
            }

            float h = _o.OutputHeight, w = _o.OutputWidth;
            switch (_o.ResizeMode)
            {
                case DetResizeMode.Force:
                    image = ResizeOwned(image, _o.OutputWidth, _o.OutputHeight, rng);
                    break;
                case DetResizeMode.Shrink when rows > h || cols > w:
                case DetResizeMode.Fit:
                    float ratio = MathF.Min(h / rows, w / cols);
                    image = ResizeOwned(image, Math.Max(1, (int)(ratio * cols)), Math.Max(1, (int)(ratio * rows)), rng);
                    break;
            }

            return (image, label);
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    /// <summary>C++ <c>std::uniform_real_distribution&lt;float&gt;(a, b)</c> over the sample's generator.</summary>
    private static float Uniform(Random rng, float a, float b) => a + ((b - a) * rng.NextSingle());

    /// <summary>Boxes in the coordinates of <paramref name="box"/> (pixels of a <paramref name="width"/> x <paramref name="height"/> image), clipped to [0, 1], as <c>ImageDetObject::Project</c>.</summary>
    private static float[,] Project(float[,] label, ImageRect box, int width, int height)
    {
        var moved = (float[,])label.Clone();
        for (int i = 0; i < label.GetLength(0); i++)
        {
            moved[i, 1] = (float)Math.Max(0, ((label[i, 1] * (double)width) - box.X) / box.Width);
            moved[i, 2] = (float)Math.Max(0, ((label[i, 2] * (double)height) - box.Y) / box.Height);
            moved[i, 3] = (float)Math.Min(1, ((label[i, 3] * (double)width) - box.X) / box.Width);
            moved[i, 4] = (float)Math.Min(1, ((label[i, 4] * (double)height) - box.Y) / box.Height);
        }

        return moved;
    }

    private NDArray ResizeOwned(NDArray image, int width, int height, Random rng)
    {
        (int rows, int cols, _) = ImageOps.CheckImage(image);
        Interpolation interp = ImageOps.ResolveInterp(_o.InterMethod, (rows, cols, height, width), rng);
        using (image)
        {
            return ImageOps.Resize(image, width, height, interp);
        }
    }

    /// <summary>HLS jitter on the BGR image MXNet sees (the same numbers on RGB) and contrast, with the draws in MXNet's order.</summary>
    private void Color(NDArray image, Random rng)
    {
        if (!(_o.RandomHueProb > 0 || _o.RandomSaturationProb > 0 || _o.RandomIlluminationProb > 0 || _o.RandomContrastProb > 0)) return;
        int h = (int)(Uniform(rng, -1, 1) * _o.MaxRandomHue);
        int s = (int)(Uniform(rng, -1, 1) * _o.MaxRandomSaturation);
        int l = (int)(Uniform(rng, -1, 1) * _o.MaxRandomIllumination);
        float c = Uniform(rng, -1, 1) * _o.MaxRandomContrast;
        h = rng.NextSingle() < _o.RandomHueProb ? h : 0;
        s = rng.NextSingle() < _o.RandomSaturationProb ? s : 0;
        l = rng.NextSingle() < _o.RandomIlluminationProb ? l : 0;
        c = rng.NextSingle() < _o.RandomContrastProb ? c : 0;
        Span<byte> p = image.AsSpan<byte>();
        if (image.GetLength(2) == 3 && (h != 0 || s != 0 || l != 0))
        {
            for (int i = 0; i + 2 < p.Length; i += 3)
            {
                (int hh, int ll, int ss) = Hls.FromRgb(p[i], p[i + 1], p[i + 2]);
                (p[i], p[i + 1], p[i + 2]) = Hls.ToRgb(Math.Clamp(hh + h, 0, 180), Math.Clamp(ll + l, 0, 255), Math.Clamp(ss + s, 0, 255));
            }
        }

        if (MathF.Abs(c) > 1e-3f)
        {
            float gain = c + 1f;
            for (int i = 0; i < p.Length; i++) p[i] = (byte)Math.Clamp(MathF.Round(p[i] * gain), 0, 255);
        }
    }

    /// <summary>The crop samplers in a random order; the first that finds a crop within its trials wins. The window is in canvas pixels.</summary>
    internal (ImageRect Window, float[,] Label)? Crop(float[,] label, int width, int height, Random rng)
    {
        DetCropSampler[] samplers = _o.Samplers;
        Span<int> order = samplers.Length <= 64 ? stackalloc int[samplers.Length] : new int[samplers.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        rng.Shuffle(order);
        foreach (int index in order)
        {
            DetCropSampler sampler = samplers[index];
            for (int trial = 0; trial < sampler.MaxTrials; trial++)
            {
                ImageRect window = CropBox(sampler, width, height, rng);
                if (TryCrop(label, window, width, height, sampler) is { } cropped) return (window, cropped);
            }
        }

        return null;
    }

    /// <summary><c>GenerateCropBox</c> (area fraction scale², aspect ratio within the sampler's range), cut to whole pixels.</summary>
    private static ImageRect CropBox(DetCropSampler s, int width, int height, Random rng)
    {
        float imageAspect = (float)width / height;
        float scale = Uniform(rng, s.MinScale, s.MaxScale) + 1e-12f;
        float minRatio = MathF.Max(s.MinAspectRatio / imageAspect, scale * scale);
        float maxRatio = MathF.Min(s.MaxAspectRatio / imageAspect, 1f / (scale * scale));
        float ratio = MathF.Sqrt(Uniform(rng, minRatio, maxRatio));
        float w = MathF.Min(1f, scale * ratio);
        float h = MathF.Min(1f, scale / ratio);
        float x0 = Uniform(rng, 0f, 1 - w);
        float y0 = Uniform(rng, 0f, 1 - h);
        int left = Math.Clamp((int)(x0 * width), 0, width - 1);
        int top = Math.Clamp((int)(y0 * height), 0, height - 1);
        return new ImageRect(left, top, Math.Clamp((int)(w * width), 1, width - left), Math.Clamp((int)(h * height), 1, height - top));
    }

    /// <summary><c>ImageDetLabel::TryCrop</c>: whether some object meets every constraint the sampler sets, then the emitted objects in the crop's coordinates (null when none is left).</summary>
    internal float[,]? TryCrop(float[,] label, ImageRect window, int width, int height, DetCropSampler s)
    {
        int count = label.GetLength(0);
        if (count == 0) return label;
        double cx = (double)window.X / width, cy = (double)window.Y / height, cw = (double)window.Width / width, ch = (double)window.Height / height;
        bool overlap = s.MinOverlap > 0 || s.MaxOverlap < 1;
        bool sample = s.MinSampleCoverage > 0 || s.MaxSampleCoverage < 1;
        bool objectCoverage = s.MinObjectCoverage > 0 || s.MaxObjectCoverage < 1;
        bool valid = !(overlap || sample || objectCoverage);
        for (int i = 0; i < count && !valid; i++)
        {
            double inter = Intersection(label, i, cx, cy, cw, ch);
            double area = Area(label, i);
            if (overlap)
            {
                double iou = inter <= 0 ? 0 : inter / ((cw * ch) + area - inter);
                if (iou < s.MinOverlap || iou > s.MaxOverlap) continue;
            }

            if (sample)
            {
                double coverage = inter / (cw * ch);
                if (coverage < s.MinSampleCoverage || coverage > s.MaxSampleCoverage) continue;
            }

            if (objectCoverage)
            {
                double coverage = inter / area;
                if (coverage < s.MinObjectCoverage || coverage > s.MaxObjectCoverage) continue;
            }

            valid = true;
        }

        if (!valid) return null;
        Span<bool> keep = count <= 256 ? stackalloc bool[count] : new bool[count];
        bool any = false;
        for (int i = 0; i < count; i++)
        {
            if (_o.CropEmitMode == CropEmitMode.Center)
            {
                double x = (label[i, 1] + (double)label[i, 3]) * 0.5, y = (label[i, 2] + (double)label[i, 4]) * 0.5;
                keep[i] = x >= cx && x < cx + cw && y >= cy && y < cy + ch;
            }
            else
            {
                keep[i] = Intersection(label, i, cx, cy, cw, ch) / Area(label, i) > _o.EmitOverlapThresh;
            }

            any |= keep[i];
        }

        return any ? Project(Rows(label, keep), window, width, height) : null;
    }

    private static double Intersection(float[,] label, int i, double x, double y, double w, double h)
    {
        double left = Math.Max(label[i, 1], x), right = Math.Min(label[i, 3], x + w);
        double top = Math.Max(label[i, 2], y), bottom = Math.Min(label[i, 4], y + h);
        return right > left && bottom > top ? (right - left) * (bottom - top) : 0;
    }
}
