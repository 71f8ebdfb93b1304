using Pipeline.Core;
using Pipeline.Stages.Iterators;

namespace Pipeline.Tests.Stages.Iterators;

public sealed class BucketSentenceIterTests
{
    [Fact]
    public void EncodeSentences_NewVocab_HandsOutIdsInOrderSkippingTheInvalidLabel()
    {
        var (encoded, vocab) = BucketSentenceIter.EncodeSentences([["a", "b", "a"], ["c", "\n"]]);
        Assert.Equal([0, 1, 0], encoded[0]);
        Assert.Equal([2, -1], encoded[1]);
        Assert.Equal(-1, vocab["\n"]);

        // start_label 0 with invalid_label 0: the first word gets 1, as mx.rnn.encode_sentences does.
        var (skipped, _) = BucketSentenceIter.EncodeSentences([["x", "y"]], invalidLabel: 0, startLabel: 0);
        Assert.Equal([1, 2], skipped[0]);
    }

    [Fact]
    public void EncodeSentences_GivenVocab_UnknownTokenNamesItAndItsSentence()
    {
        var vocab = new Dictionary<string, int> { ["a"] = 0, ["b"] = 1 };
        var (encoded, _) = BucketSentenceIter.EncodeSentences([["b", "a"]], vocab);
        Assert.Equal([1, 0], encoded[0]);
        var error = Assert.Throws<ArgumentException>(() => BucketSentenceIter.EncodeSentences([["a"], ["a", "zz"]], vocab));
        Assert.Contains("'zz'", error.Message, StringComparison.Ordinal);
        Assert.Contains("sentence 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, vocab.Count);
    }

    [Fact]
    public void AutomaticBuckets_AreTheLengthsAtLeastBatchSizeSentencesHave()
    {
        // Lengths: 3 x4, 4 x1, 5 x2, 6 x4; batch 2 -> buckets 3, 5, 6 (4 occurs once); the length-4 sentence goes to 5.
        int[][] sentences = [.. Sentences(3, 4, 100), .. Sentences(4, 1, 200), .. Sentences(5, 2, 300), .. Sentences(6, 4, 400)];
        using var iter = new BucketSentenceIter(sentences, batchSize: 2, seed: 1);
        Assert.Equal([3, 5, 6], iter.Buckets);
        Assert.Equal([4, 3, 4], iter.BucketSizes);
        Assert.Equal(6, iter.DefaultBucketKey);
        Assert.Equal(new DataDesc("data", [2, 6], DType.Float32, "NT"), iter.ProvideData[0]);
        Assert.Equal(2 + 1 + 2, iter.BatchesPerEpoch);
    }

    [Fact]
    public async Task Batches_PadWithInvalidLabel_AndLabelIsTheNextToken()
    {
        int[][] sentences = [[1, 2, 3], [4, 5], [6], [7, 8, 9, 10]];
        using var iter = new BucketSentenceIter(sentences, batchSize: 2, buckets: [4, 2], invalidLabel: -1, shuffle: false);
        Assert.Equal([2, 4], iter.Buckets);

        using DataBatch first = (await iter.NextAsync())!;
        Assert.Equal(2, first.BucketKey);
        Assert.Equal([new DataDesc("data", [2, 2], DType.Float32, "NT")], first.ProvideData!);
        Assert.Equal([new DataDesc("softmax_label", [2, 2], DType.Float32, "NT")], first.ProvideLabel!);
        Assert.Equal([4f, 5, 6, -1], first.Data[0].ToArray<float>());
        Assert.Equal([5f, -1, -1, -1], first.Label[0].ToArray<float>());
        Assert.Equal([1L, 2], first.Index!);

        using DataBatch second = (await iter.NextAsync())!;
        Assert.Equal(4, second.BucketKey);
        Assert.Equal([1f, 2, 3, -1, 7, 8, 9, 10], second.Data[0].ToArray<float>());
        Assert.Equal([2f, 3, -1, -1, 8, 9, 10, -1], second.Label[0].ToArray<float>());
        Assert.Equal("DataBatch: data shapes: [(2, 4)] label shapes: [(2, 4)]", second.ToString());
        Assert.Null(await iter.NextAsync());
        Assert.Null(await iter.NextAsync());
    }

    [Fact]
    public async Task LayoutTN_IsTheTransposeOfNT()
    {
        int[][] sentences = [[1, 2, 3], [4, 5], [6, 7, 8], [9]];
        using var nt = new BucketSentenceIter(sentences, 2, buckets: [3], invalidLabel: 0, dtype: DType.Int32, seed: 5);
        using var tn = new BucketSentenceIter(sentences, 2, buckets: [3], invalidLabel: 0, dtype: DType.Int32, layout: "TN", seed: 5);
        Assert.Equal([3, 2], tn.ProvideData[0].Shape);
        Assert.Equal("TN", tn.Layout);
        while (await nt.NextAsync() is { } a)
        {
            using (a)
            using (DataBatch b = (await tn.NextAsync())!)
            {
                int[] rowMajor = a.Data[0].ToArray<int>(), timeMajor = b.Data[0].ToArray<int>();
                int[] rowLabel = a.Label[0].ToArray<int>(), timeLabel = b.Label[0].ToArray<int>();
                Assert.Equal([3, 2], b.Data[0].Shape);
                for (int n = 0; n < 2; n++)
                {
                    for (int t = 0; t < 3; t++)
                    {
                        Assert.Equal(rowMajor[(n * 3) + t], timeMajor[(t * 2) + n]);
                        Assert.Equal(rowLabel[(n * 3) + t], timeLabel[(t * 2) + n]);
                    }
                }
            }
        }

        Assert.Throws<ArgumentException>(() => new BucketSentenceIter(sentences, 2, buckets: [3], layout: "NCHW"));
    }

    [Fact]
    public async Task Shuffle_IsAPureFunctionOfSeedAndEpoch_AndCoversEverySentenceOnce()
    {
        int[][] sentences = [.. Sentences(4, 12, 0), .. Sentences(7, 8, 1000)];
        List<float[]> a0 = await Rows(sentences, seed: 9, epochs: 1);
        List<float[]> a0Again = await Rows(sentences, seed: 9, epochs: 1);
        List<float[]> b0 = await Rows(sentences, seed: 10, epochs: 1);
        Assert.Equal(a0, a0Again);
        Assert.NotEqual(a0, b0);

        // Every sentence appears exactly once per epoch (both bucket sizes divide by the batch size).
        Assert.Equal(
            sentences.Select(s => s[0]).Order(),
            a0.SelectMany(FirstTokens).Order().Select(v => (int)v));

        using var iter = new BucketSentenceIter(sentences, 4, seed: 9);
        List<float[]> epoch0 = await Drain(iter);
        iter.Reset();
        List<float[]> epoch1 = await Drain(iter);
        Assert.Equal(a0, epoch0);
        Assert.NotEqual(epoch0, epoch1);
    }

    [Fact]
    public async Task SaveAndRestore_ResumesAtTheNextBatch()
    {
        int[][] sentences = [.. Sentences(4, 12, 0), .. Sentences(7, 8, 1000)];
        using var whole = new BucketSentenceIter(sentences, 4, seed: 3);
        whole.Reset();
        List<float[]> expected = await Drain(whole);

        using var first = new BucketSentenceIter(sentences, 4, seed: 3);
        first.Reset();
        using (DataBatch _ = (await first.NextAsync())!)
        using (DataBatch __ = (await first.NextAsync())!)
        {
        }

        byte[] token = first.SaveState().ToBytes();
        using var resumed = new BucketSentenceIter(sentences, 4, seed: 3);
        resumed.RestoreState(IteratorState.FromBytes(token));
        Assert.Equal(expected.Skip(2), await Drain(resumed));

        using var otherSeed = new BucketSentenceIter(sentences, 4, seed: 4);
        Assert.Throws<ArgumentException>(() => otherSeed.RestoreState(IteratorState.FromBytes(token)));
    }

    [Fact]
    public void SentenceLongerThanEveryBucket_IsAnErrorNamingIt_UnlessDiscarded()
    {
        int[][] sentences = [[1, 2], [3, 4], [5, 6, 7, 8, 9]];
        var error = Assert.Throws<ArgumentException>(() => new BucketSentenceIter(sentences, 2, buckets: [2, 3]));
        Assert.Contains("Sentence 2 has 5 tokens", error.Message, StringComparison.Ordinal);
        Assert.Contains("largest bucket (3)", error.Message, StringComparison.Ordinal);

        using var iter = new BucketSentenceIter(sentences, 2, buckets: [2, 3], discardLongSentences: true);
        Assert.Equal(1, iter.Discarded);
        Assert.Equal([2, 0], iter.BucketSizes);

        var none = Assert.Throws<ArgumentException>(() => new BucketSentenceIter([[1], [2, 3]], 2));
        Assert.Contains("pass buckets explicitly", none.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BucketSentenceIter(sentences, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BucketSentenceIter(sentences, 2, buckets: [5], dtype: DType.UInt8));
    }

    [Fact]
    public async Task PrefetchingIter_KeepsBucketKeyAndPerBatchShapes()
    {
        int[][] sentences = [[1, 2], [3, 4], [5, 6, 7], [8, 9, 10]];
        await using var iter = new PrefetchingIter(new BucketSentenceIter(sentences, 2, buckets: [2, 3], shuffle: false));
        using DataBatch first = (await iter.NextAsync())!;
        Assert.Equal(2, first.BucketKey);
        Assert.Equal([2, 2], first.ProvideData![0].Shape);
        using DataBatch second = (await iter.NextAsync())!;
        Assert.Equal(3, second.BucketKey);
        Assert.Equal([2, 3], second.ProvideLabel![0].Shape);
    }

    private static IEnumerable<int[]> Sentences(int length, int count, int first) =>
        Enumerable.Range(0, count).Select(i => Enumerable.Range(first + (i * 10), length).ToArray());

    private static IEnumerable<float> FirstTokens(float[] batch) => Enumerable.Range(0, 4).Select(n => batch[n * (batch.Length / 4)]);

    private static async Task<List<float[]>> Rows(int[][] sentences, int seed, int epochs)
    {
        using var iter = new BucketSentenceIter(sentences, 4, seed: seed);
        var all = new List<float[]>();
        for (int e = 0; e < epochs; e++)
        {
            if (e > 0) iter.Reset();
            all.AddRange(await Drain(iter));
        }

        return all;
    }

    private static async Task<List<float[]>> Drain(BucketSentenceIter iter)
    {
        var batches = new List<float[]>();
        while (await iter.NextAsync() is { } batch)
        {
            using (batch)
            {
                batches.Add(batch.Data[0].ToArray<float>());
            }
        }

        return batches;
    }
}
