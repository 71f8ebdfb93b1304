namespace Pipeline.Core;

/// <summary>The element type of an <see cref="NDArray"/>, named as MXNet names them.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The names are MXNet's dtype names and part of the public contract.")]
public enum DType
{
    /// <summary>32-bit IEEE float (<see cref="float"/>), MXNet's default <c>mx_real_t</c>.</summary>
    Float32,

    /// <summary>64-bit IEEE float (<see cref="double"/>).</summary>
    Float64,

    /// <summary>16-bit IEEE float (<see cref="Half"/>).</summary>
    Float16,

    /// <summary>Unsigned byte (<see cref="byte"/>), the type of decoded image pixels.</summary>
    UInt8,

    /// <summary>Signed byte (<see cref="sbyte"/>).</summary>
    Int8,

    /// <summary>32-bit signed integer (<see cref="int"/>).</summary>
    Int32,

    /// <summary>64-bit signed integer (<see cref="long"/>).</summary>
    Int64,
}
