namespace Pipeline.Stages.Imaging;

/// <summary>A rectangle of an image in pixels: its top-left corner and its size.</summary>
/// <remarks>Converts implicitly to and from the <c>(X, Y, Width, Height)</c> tuple that MXNet-style signatures return.</remarks>
/// <param name="X">The left column.</param>
/// <param name="Y">The top row.</param>
/// <param name="Width">The width in columns.</param>
/// <param name="Height">The height in rows.</param>
public readonly record struct ImageRect(int X, int Y, int Width, int Height)
{
    /// <summary>Converts an <c>(X, Y, Width, Height)</c> tuple to a rectangle.</summary>
    /// <param name="rect">The tuple.</param>
    public static implicit operator ImageRect((int X, int Y, int Width, int Height) rect) => new(rect.X, rect.Y, rect.Width, rect.Height);

    /// <summary>Converts a rectangle to an <c>(X, Y, Width, Height)</c> tuple.</summary>
    /// <param name="rect">The rectangle.</param>
    public static implicit operator (int X, int Y, int Width, int Height)(ImageRect rect) => (rect.X, rect.Y, rect.Width, rect.Height);
}
