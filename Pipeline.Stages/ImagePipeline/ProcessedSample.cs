namespace Pipeline.Stages.ImagePipeline;

/// <summary>A decoded, augmented sample in its final (C, H, W) layout, on its way to the batch stage; <see cref="Data"/> is pooled.</summary>
internal sealed record ProcessedSample(byte[]? Data, float[] Label, ulong Id);
