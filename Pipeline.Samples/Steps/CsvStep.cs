using System.Globalization;
using System.Text;
using Pipeline.Stages.Iterators;

namespace Pipeline.Samples.Steps;

/// <summary>The tutorial's CSV section: the same 100 x 3 data written to CSV and read back in batches of 30.</summary>
internal sealed class CsvStep : ITourStep
{
    public string Name => "csv";

    public string Summary => "CsvIter streams rows of a CSV file into batches (shape given, not inferred); pads like NDArrayIter.";

    public void Run(TourContext context)
    {
        var random = new Random(0);
        var data = new StringBuilder();
        var labels = new StringBuilder();
        for (int i = 0; i < 100; i++)
        {
            data.AppendJoin(',', Enumerable.Range(0, 3).Select(_ => random.NextDouble().ToString("F6", CultureInfo.InvariantCulture))).Append('\n');
            labels.Append(random.Next(0, 10).ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        string dataPath = context.OutputFile("data.csv");
        string labelPath = context.OutputFile("label.csv");
        File.WriteAllText(dataPath, data.ToString());
        File.WriteAllText(labelPath, labels.ToString());
        using var iter = new CsvIter(new CsvIterOptions { DataCsv = dataPath, DataShape = [3], LabelCsv = labelPath, BatchSize = 30 });
        var pads = new List<int>();
        while (iter.Next() is { } batch)
        {
            using (batch)
            {
                context.Out.WriteLine($"{batch} pad: {batch.Pad}");
                pads.Add(batch.Pad);
            }
        }

        context.Results["csv.pads"] = pads;
    }
}
