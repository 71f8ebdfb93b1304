namespace Pipeline.Stages.Im2Rec;

/// <summary>How <see cref="Im2RecList"/> builds <c>.lst</c> files, as <c>im2rec.py --list</c>.</summary>
/// <remarks>Defaults as im2rec.py: extensions .jpeg .jpg .png, not recursive, shuffled with seed 100, all for training, one chunk.</remarks>
public sealed record Im2RecListOptions
{
    /// <summary>Gets whether to walk sub-folders, one label per folder with images (sorted pre-order).</summary>
    public bool Recursive { get; init; }

    /// <summary>Gets the accepted extensions, lower case with the dot.</summary>
    public IReadOnlyList<string> Exts { get; init; } = [".jpeg", ".jpg", ".png"];

    /// <summary>Gets whether to shuffle (Python's <c>random.seed(Seed)</c> then <c>random.shuffle</c>, exactly).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Gets the shuffle seed (im2rec.py uses 100).</summary>
    public int Seed { get; init; } = 100;

    /// <summary>Gets the share of each chunk that goes to <c>_train</c>; 1 writes one list without suffix.</summary>
    public double TrainRatio { get; init; } = 1.0;

    /// <summary>Gets the share of each chunk that goes to <c>_test</c>.</summary>
    public double TestRatio { get; init; }

    /// <summary>Gets the number of chunks (suffix <c>_0</c>, <c>_1</c>, ... when more than one).</summary>
    public int Chunks { get; init; } = 1;

    /// <summary>Checks every option without touching any file, so a configuration can be checked before anything is built; the constructors call it.</summary>
    /// <exception cref="ArgumentException">An option is missing, out of range or contradicts another; the message and <see cref="ArgumentException.ParamName"/> name it.</exception>
    public void Validate()
    {
        if (Chunks <= 0) throw new ArgumentOutOfRangeException(nameof(Chunks), Chunks, "Chunks must be positive.");
        if (TrainRatio is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(TrainRatio), TrainRatio, "TrainRatio must be in [0, 1].");
        if (TestRatio is < 0 or > 1 || TrainRatio + TestRatio > 1 + 1e-9) throw new ArgumentOutOfRangeException(nameof(TestRatio), TestRatio, "TestRatio must be in [0, 1 - TrainRatio].");
        if (Exts is null || Exts.Count == 0) throw new ArgumentException("Give at least one extension.", nameof(Exts));
    }
}
