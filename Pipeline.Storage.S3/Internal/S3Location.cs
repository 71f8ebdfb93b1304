namespace Pipeline.Storage.S3.Internal;

/// <summary>A parsed <c>s3://bucket/key</c>.</summary>
internal readonly record struct S3Location(string Bucket, string Key, string Text)
{
    public static S3Location Parse(Uri uri)
    {
        string text = uri.OriginalString;
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new ArgumentException("An s3:// URI must not carry credentials; use the AWS environment, a profile or StorageOptions.", nameof(uri));
        }

        string bucket = uri.Host;
        string key = Uri.UnescapeDataString(uri.AbsolutePath).TrimStart('/');
        if (bucket.Length == 0) throw new ArgumentException($"'{text}' names no bucket; expected s3://bucket/key.", nameof(uri));
        if (key.Length == 0 || key.EndsWith('/')) throw new ArgumentException($"'{text}' names no object key; expected s3://bucket/key.", nameof(uri));
        return new S3Location(bucket, key, text);
    }
}
