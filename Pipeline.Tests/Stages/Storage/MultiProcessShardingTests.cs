using System.Diagnostics;
using System.Security.Cryptography;
using Pipeline.Core.RecordIO;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.Infrastructure.Servers;

namespace Pipeline.Tests.Stages.Storage;

/// <summary>Four processes, one per rank (PartIndex = rank, NumParts = 4), read one s3:// data set and together see every record exactly once.</summary>
[Collection(StorageServersGroup.Name)]
public sealed class MultiProcessShardingTests(StorageServers servers)
{
    [S3Fact]
    public async Task FourRanks_OverS3_CoverTheDataSetExactlyOnce_ByByteRangeAndByIndex()
    {
        servers.S3.Put("ranks/split.rec", File.ReadAllBytes(TestFiles.Rec("split")));
        servers.S3.Put("ranks/split.idx", File.ReadAllBytes(TestFiles.Idx("split")));
        string[] expected = [.. RecordFiles.ReadAll(TestFiles.Rec("split")).Select(r => Convert.ToHexStringLower(SHA256.HashData(r))[..32]).Order(StringComparer.Ordinal)];
        const int worldSize = 4;
        foreach (bool indexed in new[] { false, true })
        {
            string[] args = indexed ? ["--idx", S3rverServer.Uri("ranks/split.idx")] : [];
            Task<(int Code, string Output, string Error)>[] ranks = [.. Enumerable.Range(0, worldSize).Select(rank =>
                RunToolAsync(["rec", "hashes", S3rverServer.Uri("ranks/split.rec"), "--part-index", rank.ToString(System.Globalization.CultureInfo.InvariantCulture), "--num-parts", "4", .. args]))];
            var seen = new List<string>();
            int rankIndex = 0;
            foreach ((int code, string output, string error) in await Task.WhenAll(ranks))
            {
                Assert.True(code == 0, $"Rank {rankIndex} failed ({code}): {error}{output}");
                string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                Assert.StartsWith($"part {rankIndex} of 4: ", lines[^1], StringComparison.Ordinal);
                string[] hashes = [.. lines[..^1].Select(l => l.Split('\t')[1])];
                Assert.NotEmpty(hashes);
                seen.AddRange(hashes);
                rankIndex++;
            }

            Assert.Equal(expected, seen.Order(StringComparer.Ordinal));
        }
    }

    private async Task<(int Code, string Output, string Error)> RunToolAsync(string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Pipeline.Tools.dll"));
        foreach (string arg in args) info.ArgumentList.Add(arg);

        // Each rank finds the store the way a training job on another machine would: the AWS environment.
        info.Environment["AWS_ENDPOINT_URL_S3"] = servers.S3.Endpoint.ToString();
        info.Environment["AWS_ACCESS_KEY_ID"] = S3rverServer.AccessKey;
        info.Environment["AWS_SECRET_ACCESS_KEY"] = S3rverServer.SecretKey;
        info.Environment["AWS_REGION"] = "us-east-1";
        info.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        using Process process = Process.Start(info)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
