namespace Pipeline.Core.Storage;

/// <summary>Declares, on an assembly, the <see cref="StorageProvider"/> it contains for a URI scheme; <see cref="ObjectStorage"/> finds it there.</summary>
/// <param name="scheme">The URI scheme, lower case (<c>s3</c>).</param>
/// <param name="providerType">A <see cref="StorageProvider"/> subclass with a public parameterless constructor.</param>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class StorageProviderAttribute(string scheme, Type providerType) : Attribute
{
    /// <summary>Gets the URI scheme.</summary>
    public string Scheme { get; } = scheme;

    /// <summary>Gets the provider type.</summary>
    public Type ProviderType { get; } = providerType;
}
