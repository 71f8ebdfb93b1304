using Pipeline.Core.Storage;
using Pipeline.Storage.S3.Internal;

// How Pipeline.Core finds the provider without a registration call: it loads this assembly by name on the first s3:// URI.
[assembly: StorageProvider("s3", typeof(S3StorageProvider))]
