namespace Pipeline.Stages.ImagePipeline;

/// <summary>Why a record was skipped under <see cref="CorruptRecordPolicy.Skip"/>, counted per reason in <see cref="PipelineMetrics"/>.</summary>
public enum SkipReason
{
    /// <summary>The record's RecordIO framing is broken (bad magic or part flag, a length past the data, a truncated tail); reading resumes at the next record head.</summary>
    Framing,

    /// <summary>The image record header is missing or inconsistent (a record shorter than the header, labels announced past the record's end).</summary>
    Header,

    /// <summary>The labels do not fit (a count other than the label width, an id missing from the image list).</summary>
    Labels,

    /// <summary>The image cannot be read or decoded.</summary>
    Decode,

    /// <summary>The decoded image cannot be augmented or laid out (a shape or size the steps refuse).</summary>
    Augment,
}
