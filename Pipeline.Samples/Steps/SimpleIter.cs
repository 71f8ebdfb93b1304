using Pipeline.Core;

namespace Pipeline.Samples.Steps;

/// <summary>The tutorial's <c>SimpleIter</c>: a <see cref="DataIter"/> subclass whose batches come from generator functions.</summary>
internal sealed class SimpleIter : DataIter
{
    private readonly Func<int[], float[]> _dataGen;
    private readonly Func<int[], float[]> _labelGen;
    private readonly int _numBatches;
    private int _current;

    public SimpleIter(string dataName, int[] dataShape, Func<int[], float[]> dataGen, string labelName, int[] labelShape, Func<int[], float[]> labelGen, int numBatches = 10)
        : base(dataShape[0])
    {
        ProvideData = [new DataDesc(dataName, dataShape)];
        ProvideLabel = [new DataDesc(labelName, labelShape)];
        _dataGen = dataGen;
        _labelGen = labelGen;
        _numBatches = numBatches;
    }

    public override IReadOnlyList<DataDesc> ProvideData { get; }

    public override IReadOnlyList<DataDesc> ProvideLabel { get; }

    public override ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default)
    {
        if (_current == _numBatches) return ValueTask.FromResult<DataBatch?>(null);
        _current++;
        NDArray data = NDArray.From(_dataGen(ProvideData[0].Shape), ProvideData[0].Shape);
        NDArray label = NDArray.From(_labelGen(ProvideLabel[0].Shape), ProvideLabel[0].Shape);
        return ValueTask.FromResult<DataBatch?>(new DataBatch([data], [label]));
    }

    public override void Reset() => _current = 0;
}
