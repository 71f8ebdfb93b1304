namespace Pipeline.Stages.Imaging;

/// <summary>How the crop of <c>ImageDetRecordIter</c> treats objects it cuts, as MXNet's <c>crop_emit_mode</c>.</summary>
public enum CropEmitMode
{
    /// <summary>Drop an object whose centre is outside the crop (MXNet's <c>center</c>, 0).</summary>
    Center = 0,

    /// <summary>Drop an object with at most <c>EmitOverlapThresh</c> of its area inside the crop (MXNet's <c>overlap</c>, 1).</summary>
    Overlap = 1,
}
