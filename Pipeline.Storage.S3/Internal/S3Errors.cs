using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace Pipeline.Storage.S3.Internal;

/// <summary>Which S3 failures are worth another attempt: 5xx (503 SlowDown included), 429, 408 and broken connections.</summary>
internal static class S3Errors
{
    public static bool IsTransient(Exception exception)
    {
        if (exception is AmazonS3Exception s3)
        {
            int status = (int)s3.StatusCode;
            if (status >= 500 || s3.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout) return true;
            if (s3.ErrorCode is "SlowDown" or "RequestTimeout" or "InternalError") return true;
            if (status != 0) return false;
        }

        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException or IOException or SocketException or TimeoutException) return true;
            if (e is AmazonServiceException { StatusCode: >= HttpStatusCode.InternalServerError }) return true;
        }

        return false;
    }
}
