using System.Runtime.CompilerServices;
using Pipeline.Core;
using Pipeline.Stages.Imaging;

namespace Pipeline.Stages.Iterators.Internal;

/// <summary>The checks the iterators' options records share, each failing with the option's name as the parameter name.</summary>
/// <remarks>The records themselves stay flat, one property per MXNet parameter (the public contract); only their
/// <c>Validate()</c> bodies share these. The names in messages are the caller's expressions: pass the properties.</remarks>
internal static class OptionChecks
{
    public static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
    }

    public static void Probability(float p, string name)
    {
        if (p is not (>= 0 and <= 1)) throw new ArgumentOutOfRangeException(name, p, $"{name} is a probability in [0, 1].");
    }

    /// <summary>NumParts positive, PartIndex in [0, NumParts).</summary>
    public static void Part(int partIndex, int numParts, [CallerArgumentExpression(nameof(partIndex))] string partIndexName = "", [CallerArgumentExpression(nameof(numParts))] string numPartsName = "")
    {
        Positive(numParts, numPartsName);
        if (partIndex < 0 || partIndex >= numParts) throw new ArgumentOutOfRangeException(partIndexName, partIndex, $"{partIndexName} must be in [0, {numParts}).");
    }

    /// <summary>A record iterator's DataShape: (channels, height, width) with 1, 3 or 4 channels.</summary>
    public static void ImageShape(int[]? shape, [CallerArgumentExpression(nameof(shape))] string name = "")
    {
        if (shape is not { Length: 3 } || shape[0] is not (1 or 3 or 4) || shape[1] <= 0 || shape[2] <= 0)
        {
            throw new ArgumentException($"{name} must be (channels, height, width) with 1, 3 or 4 channels; got {(shape is null ? "null" : DataDesc.FormatTuple(shape))}.", name);
        }
    }

    /// <summary>An ImageIter's DataShape: (3, height, width), as MXNet's <c>ImageIter</c> checks it.</summary>
    public static void ThreeChannelShape(int[]? shape, string iterator, [CallerArgumentExpression(nameof(shape))] string name = "")
    {
        if (shape is not { Length: 3 }) throw new ArgumentException($"{name} should have length 3, with dimensions CxHxW.", name);
        if (shape[0] != 3) throw new ArgumentException($"{iterator} expects inputs to have 3 channels.", name);
        if (shape[1] <= 0 || shape[2] <= 0) throw new ArgumentException($"{name}'s height and width must be positive.", name);
    }

    /// <summary>The resize, interpolation and fill options of the record iterators' C++ augmenter.</summary>
    public static void ResizeInterpolationFill(
        int resize,
        Interpolation interMethod,
        int fillValue,
        [CallerArgumentExpression(nameof(resize))] string resizeName = "",
        [CallerArgumentExpression(nameof(interMethod))] string interMethodName = "",
        [CallerArgumentExpression(nameof(fillValue))] string fillValueName = "")
    {
        if (resize is 0 or < -1) throw new ArgumentOutOfRangeException(resizeName, resize, $"{resizeName} is -1 (off) or a positive side length.");
        if (interMethod is not ((>= Interpolation.Nearest and <= Interpolation.Lanczos4) or Interpolation.Auto or Interpolation.Random))
        {
            throw new ArgumentOutOfRangeException(interMethodName, interMethod, $"{interMethodName} must be 0-4, 9 (auto) or 10 (random).");
        }

        if (fillValue is < 0 or > 255) throw new ArgumentOutOfRangeException(fillValueName, fillValue, $"{fillValueName} must be 0-255.");
    }
}
