using Pipeline.Samples;
using Pipeline.Samples.TorchSharp;
using Pipeline.Samples.TorchSharp.Bench;

// dotnet run -c Release --project Pipeline.Samples.TorchSharp [-- mlp | cnn | bench [astorch|cnn] [--images N]] [--out DIR]
string outputDir = "tour-output";
var commands = new List<string>();
int images = 2048;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--out" && i + 1 < args.Length) outputDir = args[++i];
    else if (args[i] == "--images" && i + 1 < args.Length) images = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
    else commands.Add(args[i]);
}

Directory.CreateDirectory(outputDir);
var context = new TourContext(Path.GetFullPath(outputDir), Console.Out);
string command = commands.Count == 0 ? "all" : commands[0];
switch (command)
{
    case "all":
        Console.WriteLine("== mlp: the tutorial's MLP trained with TorchSharp, batches shared with the iterators (no copy).");
        await MlpSample.RunAsync(context);
        Console.WriteLine();
        Console.WriteLine("== cnn: a small CNN trained from ImageRecordIter over the tour's im2rec output.");
        await CnnSample.RunAsync(context);
        return 0;
    case "mlp":
        await MlpSample.RunAsync(context);
        return 0;
    case "cnn":
        await CnnSample.RunAsync(context);
        return 0;
    case "bench":
        string which = commands.Count > 1 ? commands[1] : "all";
        if (which is "all" or "astorch") AsTorchBench.Run(Console.Out);
        if (which is "all" or "cnn") await CnnEpochBench.RunAsync(context, images);
        return 0;
    default:
        Console.WriteLine($"Unknown command '{command}'. Commands: mlp, cnn, bench [astorch|cnn] [--images N]; --out DIR.");
        return 2;
}
