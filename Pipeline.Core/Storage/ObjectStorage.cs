using System.Collections.Concurrent;
using System.Reflection;
using Pipeline.Core.Storage.Internal;

namespace Pipeline.Core.Storage;

/// <summary>Resolves a path or URI (<c>s3://bucket/key</c>, <c>http(s)://...</c>, <c>file://...</c>, a plain path) to its store and opens it.</summary>
/// <remarks>
/// Local files and HTTP(S) are built in. Other schemes are served by a <see cref="StorageProvider"/> in another
/// assembly, found by its <see cref="StorageProviderAttribute"/>: <c>s3://</c> loads <c>Pipeline.Storage.S3</c> by
/// name on first use, so referencing that package is enough. A scheme without a provider fails naming the URI and the
/// package to add.
/// </remarks>
public static class ObjectStorage
{
    // Schemes whose provider ships as a separate package, loaded by assembly name on first use.
    private static readonly Dictionary<string, string> s_knownPackages = new(StringComparer.OrdinalIgnoreCase) { ["s3"] = "Pipeline.Storage.S3" };
    private static readonly ConcurrentDictionary<string, StorageProvider> s_providers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["http"] = new HttpStorageProvider(),
        ["https"] = new HttpStorageProvider(),
    };

    /// <summary>Gets whether a string is a URI with a scheme (<c>s3://</c>, <c>http://</c>, <c>file://</c>, ...) rather than a plain path.</summary>
    /// <param name="pathOrUri">The string.</param>
    /// <returns>Whether it starts with <c>scheme://</c> (a scheme of two or more letters, so <c>C:\</c> stays a path).</returns>
    public static bool IsUri(string pathOrUri)
    {
        if (string.IsNullOrEmpty(pathOrUri)) return false;
        int colon = pathOrUri.IndexOf("://", StringComparison.Ordinal);
        if (colon < 2) return false;
        for (int i = 0; i < colon; i++)
        {
            char c = pathOrUri[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.') || (i == 0 && !char.IsAsciiLetter(c))) return false;
        }

        return true;
    }

    /// <summary>Gets the local file a path or <c>file://</c> URI names.</summary>
    /// <param name="pathOrUri">The path or URI.</param>
    /// <param name="path">The local path, or <see langword="null"/> for a remote URI.</param>
    /// <returns>Whether it is local.</returns>
    public static bool TryGetLocalPath(string pathOrUri, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? path)
    {
        ArgumentNullException.ThrowIfNull(pathOrUri);
        if (!IsUri(pathOrUri))
        {
            path = pathOrUri;
            return true;
        }

        if (pathOrUri.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            path = new Uri(pathOrUri).LocalPath;
            return true;
        }

        path = null;
        return false;
    }

    /// <summary>Opens a path or URI for random-access reading.</summary>
    /// <param name="pathOrUri">A plain path, <c>file://</c>, <c>http(s)://</c>, <c>s3://bucket/key</c>, or another provider's scheme.</param>
    /// <param name="options">Timeouts, retries and connection settings; <see cref="StorageOptions.Default"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>The source, pinned to the object's current version.</returns>
    /// <exception cref="ArgumentException">The URI is malformed or its scheme has no provider; the message names the URI (and the package to add).</exception>
    /// <exception cref="FileNotFoundException">The file or object does not exist.</exception>
    /// <exception cref="StorageException">The store could not be reached or refused; the message names the URI.</exception>
    public static async ValueTask<ByteSource> OpenReadAsync(string pathOrUri, StorageOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(pathOrUri);
        options ??= StorageOptions.Default;
        options.Validate();
        if (TryGetLocalPath(pathOrUri, out string? local)) return LocalFileSource.Open(local);
        Uri uri = ParseUri(pathOrUri);
        return await GetProvider(uri, pathOrUri).OpenReadAsync(uri, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a path or URI for random-access reading, blocking until it is open.</summary>
    /// <param name="pathOrUri">A plain path, <c>file://</c>, <c>http(s)://</c>, <c>s3://bucket/key</c>, or another provider's scheme.</param>
    /// <param name="options">Timeouts, retries and connection settings; <see cref="StorageOptions.Default"/> when <see langword="null"/>.</param>
    /// <returns>The source, pinned to the object's current version.</returns>
    /// <exception cref="ArgumentException">The URI is malformed or its scheme has no provider; the message names the URI (and the package to add).</exception>
    /// <exception cref="FileNotFoundException">The file or object does not exist.</exception>
    /// <exception cref="StorageException">The store could not be reached or refused; the message names the URI.</exception>
    public static ByteSource OpenRead(string pathOrUri, StorageOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(pathOrUri);
        if (TryGetLocalPath(pathOrUri, out string? local)) return LocalFileSource.Open(local);
        return OpenReadAsync(pathOrUri, options).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Opens a path or URI for one sequential pass: a local file as an unbuffered <see cref="FileStream"/>, a remote object with read-ahead.</summary>
    /// <param name="pathOrUri">A plain path, <c>file://</c>, <c>http(s)://</c>, <c>s3://bucket/key</c>, or another provider's scheme.</param>
    /// <param name="options">Timeouts, retries, read-ahead and connection settings; <see cref="StorageOptions.Default"/> when <see langword="null"/>.</param>
    /// <returns>A readable, seekable stream that owns the file or object.</returns>
    /// <exception cref="ArgumentException">The URI is malformed or its scheme has no provider.</exception>
    /// <exception cref="FileNotFoundException">The file or object does not exist.</exception>
    /// <exception cref="StorageException">The store could not be reached or refused; the message names the URI.</exception>
    public static Stream OpenSequentialRead(string pathOrUri, StorageOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(pathOrUri);
        options ??= StorageOptions.Default;
        if (TryGetLocalPath(pathOrUri, out string? local))
        {
            return new FileStream(local, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan | FileOptions.Asynchronous);
        }

        ByteSource source = OpenRead(pathOrUri, options);
        return new ReadAheadStream(source, 0, source.Length, options.ReadAheadChunkSize, options.ReadAheadDepth, leaveOpen: false);
    }

    /// <summary>Reads a whole file or object (a list, an index, an image).</summary>
    /// <param name="pathOrUri">A plain path, <c>file://</c>, <c>http(s)://</c>, <c>s3://bucket/key</c>, or another provider's scheme.</param>
    /// <param name="options">Timeouts, retries and connection settings; <see cref="StorageOptions.Default"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="ArgumentException">The URI is malformed or its scheme has no provider.</exception>
    /// <exception cref="FileNotFoundException">The file or object does not exist.</exception>
    /// <exception cref="StorageException">The store could not be reached or refused; the message names the URI.</exception>
    public static async ValueTask<byte[]> ReadAllBytesAsync(string pathOrUri, StorageOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(pathOrUri);
        if (TryGetLocalPath(pathOrUri, out string? local)) return await File.ReadAllBytesAsync(local, cancellationToken).ConfigureAwait(false);
        ByteSource source = await OpenReadAsync(pathOrUri, options, cancellationToken).ConfigureAwait(false);
        using (source)
        {
            if (source.Length > Array.MaxLength) throw new StorageException($"'{source.Location}' is {source.Length} bytes, too large to read into one array.", source.Location, null, null);
            byte[] bytes = GC.AllocateUninitializedArray<byte>((int)source.Length);
            int read = await source.ReadAtAsync(0, bytes, cancellationToken).ConfigureAwait(false);
            return read == bytes.Length ? bytes : bytes[..read];
        }
    }

    /// <summary>Reads a whole file or object, blocking.</summary>
    /// <param name="pathOrUri">A plain path, <c>file://</c>, <c>http(s)://</c>, <c>s3://bucket/key</c>, or another provider's scheme.</param>
    /// <param name="options">Timeouts, retries and connection settings; <see cref="StorageOptions.Default"/> when <see langword="null"/>.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="ArgumentException">The URI is malformed or its scheme has no provider.</exception>
    /// <exception cref="FileNotFoundException">The file or object does not exist.</exception>
    /// <exception cref="StorageException">The store could not be reached or refused; the message names the URI.</exception>
    public static byte[] ReadAllBytes(string pathOrUri, StorageOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(pathOrUri);
        if (TryGetLocalPath(pathOrUri, out string? local)) return File.ReadAllBytes(local);
        return ReadAllBytesAsync(pathOrUri, options).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Joins a root (a folder or a URI prefix) and a relative path: <c>/</c> for a URI, the platform's rule for a path.</summary>
    /// <param name="root">The folder or URI prefix.</param>
    /// <param name="relative">The relative path.</param>
    /// <returns>The combined path or URI.</returns>
    public static string Combine(string root, string relative)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(relative);
        if (!IsUri(root)) return Path.Combine(root, relative);
        return root.EndsWith('/') ? root + relative.Replace('\\', '/') : root + "/" + relative.Replace('\\', '/');
    }

    /// <summary>Opens a path or URI for writing from its start (a local file is created or truncated).</summary>
    /// <param name="pathOrUri">A plain path, <c>file://</c>, <c>s3://bucket/key</c>, or another writable provider's scheme.</param>
    /// <param name="options">Timeouts, retries, part size and connection settings; <see cref="StorageOptions.Default"/> when <see langword="null"/>.</param>
    /// <returns>A <see cref="FileStream"/> for a local path; otherwise a <see cref="StorageWriteStream"/>, whose object appears only when it is disposed after successful writes.</returns>
    /// <exception cref="ArgumentException">The URI is malformed or its scheme has no provider.</exception>
    /// <exception cref="NotSupportedException">The store is read-only (HTTP).</exception>
    public static Stream OpenWrite(string pathOrUri, StorageOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(pathOrUri);
        options ??= StorageOptions.Default;
        options.Validate();
        if (TryGetLocalPath(pathOrUri, out string? local))
        {
            return new FileStream(local, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1 << 20);
        }

        Uri uri = ParseUri(pathOrUri);
        return GetProvider(uri, pathOrUri).OpenWrite(uri, options);
    }

    /// <summary>Gets a URI as it may be shown in messages: without user information (credentials).</summary>
    /// <param name="uri">The URI.</param>
    /// <returns>The URI text without its user-info part.</returns>
    public static string Describe(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || string.IsNullOrEmpty(uri.UserInfo)) return uri.OriginalString;
        return new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty }.Uri.ToString();
    }

    private static Uri ParseUri(string pathOrUri)
    {
        if (!Uri.TryCreate(pathOrUri, UriKind.Absolute, out Uri? uri))
        {
            throw new ArgumentException($"'{pathOrUri}' is not a valid URI; expected a path or s3://bucket/key, http(s)://host/path or file:///path.", nameof(pathOrUri));
        }

        return uri;
    }

    private static StorageProvider GetProvider(Uri uri, string pathOrUri)
    {
        if (s_providers.TryGetValue(uri.Scheme, out StorageProvider? provider)) return provider;
        provider = FindProvider(uri, pathOrUri);
        return s_providers.GetOrAdd(uri.Scheme, provider);
    }

    private static StorageProvider FindProvider(Uri uri, string pathOrUri)
    {
        s_knownPackages.TryGetValue(uri.Scheme, out string? package);
        return FindProvider(uri, pathOrUri, package);
    }

    /// <summary>Finds the provider of <paramref name="uri"/>'s scheme, loading <paramref name="package"/> first when given.</summary>
    internal static StorageProvider FindProvider(Uri uri, string pathOrUri, string? package)
    {
        if (package is not null)
        {
            try
            {
                Assembly.Load(package);
            }
            catch (FileNotFoundException)
            {
                throw new ArgumentException($"'{Describe(uri)}' needs the {uri.Scheme}:// storage provider: add a reference to the package {package}.", nameof(pathOrUri));
            }
        }

        // Any loaded assembly may declare a provider (the seam for further stores such as WebHDFS).
        foreach (Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (assembly.IsDynamic) continue;
            foreach (StorageProviderAttribute attribute in assembly.GetCustomAttributes<StorageProviderAttribute>())
            {
                if (string.Equals(attribute.Scheme, uri.Scheme, StringComparison.OrdinalIgnoreCase))
                {
                    return (StorageProvider)Activator.CreateInstance(attribute.ProviderType)!;
                }
            }
        }

        throw new ArgumentException(
            $"'{Describe(uri)}' has the scheme '{uri.Scheme}', which no storage provider serves; supported: plain paths, file://, http://, https://, s3:// (package Pipeline.Storage.S3).", nameof(pathOrUri));
    }
}
