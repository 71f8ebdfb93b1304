using System.Text.Json;
using Pipeline.Core.RecordIO;
using Pipeline.Core.Storage;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.Infrastructure.Servers;

namespace Pipeline.Tests.Core.Storage;

/// <summary>The golden MXNet files read from s3:// (s3rver) and http:// (nginx) give the same records as from disk, whole and sharded.</summary>
[Collection(StorageServersGroup.Name)]
public sealed class RemoteRecordIOTests(StorageServers servers)
{
    private static readonly object s_publishLock = new();
    private static bool s_published;

    public static TheoryData<string> GoldenFiles
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string dir in new[] { "recordio", "im2rec" })
            {
                foreach (string rec in Directory.GetFiles(Path.Combine(TestFiles.GoldenRoot, dir)).Where(f => f.EndsWith(".rec", StringComparison.Ordinal) || f.Contains(".rec.part", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
                {
                    data.Add(dir + "/" + Path.GetFileName(rec));
                }
            }

            return data;
        }
    }

    public static TheoryData<string, string, int> Experiments
    {
        get
        {
            var data = new TheoryData<string, string, int>();
            using JsonDocument parts = TestFiles.Json(TestFiles.SplitParts);
            foreach (JsonElement experiment in parts.RootElement.GetProperty("experiments").EnumerateArray())
            {
                data.Add(experiment.GetProperty("file").GetString()!, experiment.GetProperty("mode").GetString()!, experiment.GetProperty("num_parts").GetInt32());
            }

            return data;
        }
    }

    /// <summary>Small read-ahead chunks, so that records straddle many request boundaries.</summary>
    private StorageOptions S3Options => servers.S3.Options with { ReadAheadChunkSize = 64 << 10, ReadAheadDepth = 3 };

    private static StorageOptions HttpOptions => new() { ReadAheadChunkSize = 64 << 10, ReadAheadDepth = 3, RetryBaseDelay = TimeSpan.FromMilliseconds(10) };

    [S3Theory]
    [MemberData(nameof(GoldenFiles))]
    public async Task Golden_FromS3_SameRecordsAsDisk(string relative)
    {
        Publish();
        await AssertSameRecords(relative, S3rverServer.Uri("golden/" + relative), S3rverServer.Uri("golden/" + IdxOf(relative)), S3Options);
    }

    [NginxTheory]
    [MemberData(nameof(GoldenFiles))]
    public async Task Golden_FromHttp_SameRecordsAsDisk(string relative)
    {
        Publish();
        await AssertSameRecords(relative, servers.Http.Url("golden/" + relative), servers.Http.Url("golden/" + IdxOf(relative)), HttpOptions);
    }

    [S3Theory]
    [MemberData(nameof(Experiments))]
    public void Shards_FromS3_MatchReferenceSplit(string file, string mode, int numParts)
    {
        Publish();
        JsonElement experiment = FindExperiment(file, mode, numParts);
        string name = Path.GetFileNameWithoutExtension(file);
        List<byte[]> all = RecordFiles.ReadAll(TestFiles.Rec(name));
        string rec = S3rverServer.Uri("golden/recordio/" + name + ".rec");
        string idx = S3rverServer.Uri("golden/recordio/" + name + ".idx");
        bool indexed = mode.StartsWith("indexed_recordio", StringComparison.Ordinal);
        using var index = new IndexedRecordIOReader(idx, rec, S3Options);
        foreach (JsonElement part in experiment.GetProperty("parts").EnumerateArray())
        {
            int partIndex = part.GetProperty("part_index").GetInt32();
            int[] expected = part.GetProperty("record_indices").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            int[] actual;
            if (indexed)
            {
                actual = index.GetPartKeys(partIndex, numParts).Select(k => (int)k).ToArray();
                if (mode.EndsWith("shuffle_seed0", StringComparison.Ordinal)) Array.Sort(expected);
                byte[][] records = index.ReadIdx(index.GetPartKeys(partIndex, numParts));
                for (int i = 0; i < actual.Length; i++) Assert.Equal(all[actual[i]], records[i]);
            }
            else
            {
                using RecordIOReader reader = RecordIOReader.OpenPart(rec, partIndex, numParts, S3Options);
                var records = new List<byte[]>();
                while (reader.Read() is { } record) records.Add(record);
                actual = records.Select(r => all.FindIndex(a => a.AsSpan().SequenceEqual(r))).ToArray();
                if (part.TryGetProperty("adjusted_byte_begin", out JsonElement begin))
                {
                    reader.Reset();
                    Assert.Equal(begin.GetInt64(), reader.Position);
                }
            }

            Assert.Equal(expected, actual);
        }
    }

    [NginxFact]
    public void OpenPart_Http_FetchesOnlyItsByteRange()
    {
        Publish();
        string local = TestFiles.Rec("split");
        long size = new FileInfo(local).Length;
        using var proxy = new FaultProxy(servers.Http.Port);
        string url = $"http://127.0.0.1:{proxy.Port}/golden/recordio/split.rec";
        const int parts = 4;
        long total = 0;
        var seen = new List<byte[]>();
        for (int part = 0; part < parts; part++)
        {
            long before = proxy.ResponseBytes;
            using RecordIOReader reader = RecordIOReader.OpenPart(url, part, parts, HttpOptions with { ReadAheadChunkSize = 256 << 10 });
            while (reader.Read() is { } record) seen.Add(record);
            long transferred = proxy.ResponseBytes - before;
            total += transferred;

            // Its quarter of the file, plus the boundary scans and the tail of its last record (64 KiB requests) and headers.
            Assert.True(transferred < size / parts + (256 << 10), $"Part {part} transferred {transferred} bytes of a {size}-byte file.");
        }

        Assert.Equal(RecordFiles.ReadAll(local), seen);
        Assert.True(total < size + (parts * (200 << 10)), $"The {parts} parts transferred {total} bytes of a {size}-byte file.");
    }

    [S3Fact]
    public async Task ReadIdxAsync_S3_CoalescesNeighboursIntoFewRequests()
    {
        Publish();
        using var proxy = new FaultProxy(servers.S3.Port);
        StorageOptions options = S3rverServer.For(proxy.Endpoint);
        using var local = new IndexedRecordIOReader(TestFiles.Idx("split"), TestFiles.Rec("split"));
        using var remote = new IndexedRecordIOReader(S3rverServer.Uri("golden/recordio/split.idx"), S3rverServer.Uri("golden/recordio/split.rec"), options);
        long[] keys = [.. local.Keys.Take(400)];
        int before = proxy.Requests;
        byte[][] records = await remote.ReadIdxAsync(keys);
        int requests = proxy.Requests - before;
        for (int i = 0; i < keys.Length; i++) Assert.Equal(local.ReadIdx(keys[i]), records[i]);

        // 400 neighbouring records (about 300 KB) in one or two ranged requests, not 400.
        Assert.InRange(requests, 1, 3);
    }

    private static async Task AssertSameRecords(string relative, string recUri, string idxUri, StorageOptions options)
    {
        string localRec = Path.Combine(TestFiles.GoldenRoot, relative);
        string localIdx = Path.Combine(TestFiles.GoldenRoot, IdxOf(relative));
        List<byte[]> expected = RecordFiles.ReadAll(localRec);

        using (var reader = new RecordIOReader(recUri, options))
        {
            Assert.Equal(recUri, reader.FilePath);
            var sync = new List<byte[]>();
            while (reader.Read() is { } record) sync.Add(record);
            Assert.Equal(expected, sync);

            reader.Reset();
            var async = new List<byte[]>();
            while (await reader.ReadMemoryAsync() is { } record) async.Add(record.ToArray());
            Assert.Equal(expected, async);
        }

        if (!File.Exists(localIdx)) return;
        using var localIndex = new IndexedRecordIOReader(localIdx, localRec);
        using var remoteIndex = new IndexedRecordIOReader(idxUri, recUri, options);
        Assert.Equal(localIndex.Keys, remoteIndex.Keys);
        foreach (long key in localIndex.Keys) Assert.Equal(localIndex.ReadIdx(key), remoteIndex.ReadIdx(key));
        long[] shuffled = [.. localIndex.Keys.Distinct()];
        new Random(5).Shuffle(shuffled);
        byte[][] batch = await remoteIndex.ReadIdxAsync(shuffled);
        for (int i = 0; i < shuffled.Length; i++) Assert.Equal(localIndex.ReadIdx(shuffled[i]), batch[i]);
    }

    private static string IdxOf(string relative)
    {
        string dir = Path.GetDirectoryName(relative)!;
        string name = Path.GetFileName(relative);
        string idx = name.Contains(".rec.part", StringComparison.Ordinal)
            ? name.Replace(".rec.part", ".part", StringComparison.Ordinal) + ".idx"
            : Path.ChangeExtension(name, ".idx");
        return dir + "/" + idx;
    }

    private void Publish()
    {
        lock (s_publishLock)
        {
            if (s_published) return;
            foreach (string dir in new[] { "recordio", "im2rec" })
            {
                foreach (string file in Directory.GetFiles(Path.Combine(TestFiles.GoldenRoot, dir)))
                {
                    string key = "golden/" + dir + "/" + Path.GetFileName(file);
                    byte[] bytes = File.ReadAllBytes(file);
                    if (ServerRequirement.S3SkipReason is null) servers.S3.Put(key, bytes);
                    if (ServerRequirement.NginxSkipReason is null) servers.Http.Publish(key, bytes);
                }
            }

            s_published = true;
        }
    }

    private static JsonElement FindExperiment(string file, string mode, int numParts)
    {
        using JsonDocument parts = TestFiles.Json(TestFiles.SplitParts);
        foreach (JsonElement experiment in parts.RootElement.GetProperty("experiments").EnumerateArray())
        {
            if (experiment.GetProperty("file").GetString() == file && experiment.GetProperty("mode").GetString() == mode && experiment.GetProperty("num_parts").GetInt32() == numParts)
            {
                return experiment.Clone();
            }
        }

        throw new InvalidOperationException("No such experiment.");
    }
}
