namespace Pipeline.Stages.Imaging;

/// <summary>One crop sampler of MXNet's <c>det_aug_default</c>: the ranges a random crop is drawn from and the constraints it must meet.</summary>
/// <remarks>Overlap is the IoU of crop and object; sample coverage is the intersection over the crop's area; object coverage the intersection over the object's area.</remarks>
internal readonly record struct DetCropSampler(
    float MinScale, float MaxScale, float MinAspectRatio, float MaxAspectRatio, float MinOverlap, float MaxOverlap,
    float MinSampleCoverage, float MaxSampleCoverage, float MinObjectCoverage, float MaxObjectCoverage, int MaxTrials);
