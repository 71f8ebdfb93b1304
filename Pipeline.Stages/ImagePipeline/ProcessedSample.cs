using Pipeline.Core;

namespace Pipeline.Stages.ImagePipeline;

/// <summary>A decoded, augmented (H, W, C) image on its way to the batch stage, which lays it out into its batch row; <see cref="Image"/> is <see langword="null"/> for a skipped record.</summary>
/// <param name="Image">The augmented image; the batch stage disposes it.</param>
/// <param name="Rng">The sample's generator, for the layout's own draws (mirror, contrast, illumination).</param>
/// <param name="Label">The label vector.</param>
/// <param name="Id">The record's id.</param>
/// <param name="Source">Where the record came from, for error messages.</param>
/// <param name="Next">Where the source stands after the record (for a state), if the source can seek.</param>
/// <param name="IsFiller">Whether the sample pads a resumed epoch's last batch.</param>
internal sealed record ProcessedSample(NDArray? Image, Random Rng, float[] Label, ulong Id, string Source, SourcePosition? Next = null, bool IsFiller = false);
