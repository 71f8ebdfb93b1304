namespace Pipeline.Stages.Imaging;

/// <summary>How <c>ImageDetRecordIter</c> fits the augmented image to the data shape, as MXNet's <c>resize_mode</c>.</summary>
public enum DetResizeMode
{
    /// <summary>Resize to the data shape, ignoring the aspect ratio (MXNet's <c>force</c>, 0).</summary>
    Force = 0,

    /// <summary>Shrink an image larger than the data shape to fit inside it, keeping the aspect ratio; never enlarge (MXNet's <c>shrink</c>, 1).</summary>
    Shrink = 1,

    /// <summary>Scale to fit inside the data shape, keeping the aspect ratio, enlarging if needed (MXNet's <c>fit</c>, 2).</summary>
    Fit = 2,
}
