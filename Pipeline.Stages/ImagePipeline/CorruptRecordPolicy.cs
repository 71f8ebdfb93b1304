namespace Pipeline.Stages.ImagePipeline;

/// <summary>What an image pipeline does with a record whose image cannot be decoded.</summary>
public enum CorruptRecordPolicy
{
    /// <summary>Fail the epoch with an exception naming the file and offset or key (the default).</summary>
    Throw,

    /// <summary>Leave the record out, count it, and keep its description in the pipeline's metrics.</summary>
    Skip,
}
