using Pipeline.Core;

namespace Pipeline.Samples.Steps;

/// <summary>The tutorial's composed iterator for image captioning: images from one iterator and their captions from another, read in lockstep and reset together; each batch holds both.</summary>
/// <remarks>Built from public pieces only: any two <see cref="DataIter"/>s whose epochs have the same number of batches in the same order.</remarks>
internal sealed class CaptionIter : DataIter
{
    private readonly DataIter _images;
    private readonly DataIter _captions;

    public CaptionIter(DataIter images, DataIter captions)
        : base(images.BatchSize)
    {
        if (images.BatchSize != captions.BatchSize) throw new ArgumentException($"The image iterator's batch size {images.BatchSize} differs from the caption iterator's {captions.BatchSize}.", nameof(captions));
        _images = images;
        _captions = captions;
        ProvideData = [.. images.ProvideData, .. captions.ProvideData];
        ProvideLabel = [.. captions.ProvideLabel, .. images.ProvideLabel];
    }

    public override IReadOnlyList<DataDesc> ProvideData { get; }

    public override IReadOnlyList<DataDesc> ProvideLabel { get; }

    public override async ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default)
    {
        DataBatch? images = await _images.NextAsync(cancellationToken).ConfigureAwait(false);
        DataBatch? captions = await _captions.NextAsync(cancellationToken).ConfigureAwait(false);
        if (images is null || captions is null)
        {
            bool both = images is null && captions is null;
            images?.Dispose();
            captions?.Dispose();
            return both ? null : throw new InvalidOperationException("The image and caption iterators ended at different batches; they must yield the same number per epoch.");
        }

        // The caption arrays move into the combined batch; the image batch goes back to its iterator's pool after a copy.
        using (images)
        {
            NDArray pixels = Copy(images.Data[0]);
            NDArray classes = Copy(images.Label[0]);
            return new DataBatch([pixels, captions.Data[0]], [captions.Label[0], classes], images.Pad, captions.Index)
            {
                BucketKey = captions.BucketKey,
                ProvideData = [.. _images.ProvideData, .. captions.ProvideData ?? _captions.ProvideData],
                ProvideLabel = [.. captions.ProvideLabel ?? _captions.ProvideLabel, .. _images.ProvideLabel],
            };
        }
    }

    public override void Reset()
    {
        _images.Reset();
        _captions.Reset();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _images.Dispose();
            _captions.Dispose();
        }

        base.Dispose(disposing);
    }

    private static NDArray Copy(NDArray source)
    {
        NDArray copy = NDArray.Empty(source.DType, source.Shape);
        source.AsBytes().CopyTo(copy.AsBytes());
        return copy;
    }
}
