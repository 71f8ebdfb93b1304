namespace Pipeline.Core;

/// <summary>The iterator an <see cref="IteratorState"/> belongs to; a state restores only into the kind that saved it.</summary>
internal enum IteratorKind : byte
{
    /// <summary>An <c>NDArrayIter</c>.</summary>
    NDArray = 1,

    /// <summary>A <c>CsvIter</c>.</summary>
    Csv = 2,

    /// <summary>An <c>MnistIter</c>.</summary>
    Mnist = 3,

    /// <summary>An <c>ImageRecordIter</c>.</summary>
    ImageRecord = 4,

    /// <summary>An <c>ImageIter</c>.</summary>
    Image = 5,

    /// <summary>An <c>ImagePipelineIter</c> over a custom source.</summary>
    ImagePipeline = 6,

    /// <summary>A <c>ResizeIter</c>.</summary>
    Resize = 7,

    /// <summary>A <c>PrefetchingIter</c>.</summary>
    Prefetching = 8,

    /// <summary>A <c>SampleIter&lt;T&gt;</c>.</summary>
    Sample = 9,

    /// <summary>A <c>BucketSentenceIter</c>.</summary>
    BucketSentence = 20,

    /// <summary>A <c>LibSVMIter</c>.</summary>
    LibSvm = 21,

    /// <summary>An <c>ImageDetRecordIter</c>.</summary>
    ImageDetRecord = 22,

    /// <summary>An <c>ImageDetIter</c>.</summary>
    ImageDet = 23,
}
