namespace Pipeline.Stages.ImagePipeline;

/// <summary>How a detection pipeline lays out a sample's label row.</summary>
internal enum DetectionLabelLayout
{
    /// <summary>C++ <c>ImageDetRecordIter</c>: <c>[channels, height, width, label length, raw label..., pad...]</c>.</summary>
    Record,

    /// <summary>Python <c>ImageDetIter</c>: (max objects, object width) object rows, the rest -1.</summary>
    Objects,
}
