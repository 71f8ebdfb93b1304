using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.Im2Rec;
using Pipeline.Stages.Imaging;
using Spectre.Console;

namespace Pipeline.Tools;

/// <summary>The command line: <c>im2rec</c> (make lists, pack records) and <c>rec</c> (verify, index, stats, head, cat, split).</summary>
public static class ToolCommands
{
    /// <summary>Parses and runs a command line.</summary>
    /// <param name="args">The arguments, for example <c>im2rec data/train images --list --recursive</c>; the tool is installed as <c>im2rec</c>, so arguments that do not start with a command (<c>data/train images --list</c>) are the <c>im2rec</c> command's, as with <c>im2rec.py</c>.</param>
    /// <param name="console">Where to print (a progress bar on a terminal; plain lines otherwise).</param>
    /// <returns>0 on success, 1 when the work failed or found corruption, 2 for a usage error.</returns>
    public static Task<int> RunAsync(string[] args, IAnsiConsole console) => RunAsync(args, console, CancellationToken.None);

    /// <summary>Parses and runs a command line until it finishes or <paramref name="cancellationToken"/> stops it.</summary>
    /// <param name="args">The arguments, for example <c>im2rec data/train images --list --recursive</c>.</param>
    /// <param name="console">Where to print (a progress bar on a terminal; plain lines otherwise).</param>
    /// <param name="cancellationToken">Stops the command (Ctrl+C, SIGTERM); outputs in progress are removed.</param>
    /// <returns>0 on success, 1 when the work failed or found corruption, 2 for a usage error, 130 when stopped.</returns>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(console);
        args = ImplicitIm2Rec(args);
        RootCommand root = Build(console);
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parsed.Errors) console.MarkupLineInterpolated($"[red]{error.Message}[/]");
            return 2;
        }

        try
        {
            // Signals are the caller's (Program): System.CommandLine's own handler would end the process before the outputs in progress are removed.
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.WriteLine("stopped: interrupted before the end; no partial output was left behind.");
            return 130;
        }
        catch (Exception error) when (error is PipelineException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {error.Message}");
            return 1;
        }
    }

    /// <summary>Creates the console for output that is not a terminal (a pipe, a file, a CI log): plain lines, never wrapped, no colour codes, no live display.</summary>
    /// <param name="writer">Where to write.</param>
    /// <returns>The console.</returns>
    /// <remarks>Spectre.Console wraps at 80 columns when it cannot ask a terminal for its width, which cut paths and summaries in two.</remarks>
    public static IAnsiConsole PlainConsole(TextWriter writer)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 4096;
        return console;
    }

    /// <summary>The installed command is <c>im2rec</c>: <c>im2rec PREFIX ROOT ...</c> means <c>im2rec im2rec PREFIX ROOT ...</c>.</summary>
    /// <remarks>A prefix literally named <c>rec</c> or <c>im2rec</c> needs the explicit form.</remarks>
    private static string[] ImplicitIm2Rec(string[] args) =>
        args is [var first, ..] && first is not ("im2rec" or "rec" or ResumeDrillCommand.Name) && !first.StartsWith('-') ? ["im2rec", .. args] : args;

    private static RootCommand Build(IAnsiConsole console)
    {
        var root = new RootCommand("Pipeline tools: pack image folders into MXNet-compatible RecordIO files and inspect them.");
        root.Add(Im2RecCommand(console));
        root.Add(RecCommand(console));
        root.Add(ResumeDrillCommand.Create(console));
        return root;
    }

    private static Command Im2RecCommand(IAnsiConsole console)
    {
        var prefix = new Argument<string>("prefix") { Description = "Output prefix of the .lst files (list mode), or prefix/folder of the .lst files to pack." };
        var rootFolder = new Argument<string>("root") { Description = "The image folder." };
        var list = new Option<bool>("--list") { Description = "Make .lst files instead of packing." };
        var recursive = new Option<bool>("--recursive") { Description = "Walk sub-folders; each folder with images gets the next label." };
        var exts = new Option<string[]>("--exts") { Description = "Accepted extensions.", DefaultValueFactory = _ => [".jpeg", ".jpg", ".png"], AllowMultipleArgumentsPerToken = true };
        var noShuffle = new Option<bool>("--no-shuffle") { Description = "Keep the walk order (default: shuffle as im2rec.py)." };
        var seed = new Option<int>("--seed") { Description = "Shuffle seed.", DefaultValueFactory = _ => 100 };
        var trainRatio = new Option<double>("--train-ratio") { Description = "Share of images for training.", DefaultValueFactory = _ => 1.0 };
        var testRatio = new Option<double>("--test-ratio") { Description = "Share of images for testing.", DefaultValueFactory = _ => 0.0 };
        var chunks = new Option<int>("--chunks") { Description = "Number of list chunks.", DefaultValueFactory = _ => 1 };
        var passThrough = new Option<bool>("--pass-through") { Description = "Store the image files as they are." };
        var resize = new Option<int>("--resize") { Description = "Resize the shorter side to this (0 = keep)." };
        var centerCrop = new Option<bool>("--center-crop") { Description = "Crop the centre square first (with --resize)." };
        var quality = new Option<int>("--quality") { Description = "JPEG quality or PNG compression.", DefaultValueFactory = _ => 95 };
        var encoding = new Option<string>("--encoding") { Description = "Output encoding.", DefaultValueFactory = _ => ".jpg" };
        encoding.AcceptOnlyFromAmong(".jpg", ".png");
        var color = new Option<int>("--color") { Description = "1 colour, 0 gray, -1 unchanged.", DefaultValueFactory = _ => 1 };
        color.AcceptOnlyFromAmong("-1", "0", "1");
        var interMethod = new Option<int>("--inter-method") { Description = "Resize interpolation: 0 nearest, 1 bilinear, 2 bicubic, 3 area, 4 Lanczos-4.", DefaultValueFactory = _ => 1 };
        interMethod.AcceptOnlyFromAmong("0", "1", "2", "3", "4");
        var rgbResize = new Option<bool>("--rgb-resize") { Description = "Resize JPEGs through RGB, in im2rec.py's order, instead of resizing their Y, Cb, Cr planes (faster; about 2 levels apart)." };
        var packLabel = new Option<bool>("--pack-label") { Description = "Store every label of multi-label lines, each line with its own count (detection lists: header, then the objects)." };
        var threads = new Option<int>("--num-thread") { Description = "Decode/encode threads.", DefaultValueFactory = _ => 1 };
        var strict = new Option<bool>("--strict") { Description = "Stop at the first unreadable image instead of skipping it." };
        var maxSkipped = new Option<int?>("--max-skipped") { Description = "Fail a list when more images than this are skipped (default: fail only when every image is skipped). A list that packs nothing always fails and never replaces existing outputs." };
        var output = new Option<string?>("--output") { Description = "Folder or URI prefix (s3://bucket/prefix/) for the .rec and .idx (default: next to the lists). S3 settings come from the AWS environment." };
        var command = new Command("im2rec", "Make image lists from a folder (--list), or pack lists into .rec + .idx.")
        {
            prefix, rootFolder, list, recursive, exts, noShuffle, seed, trainRatio, testRatio, chunks, passThrough, resize, centerCrop, quality, encoding, interMethod, rgbResize, color, packLabel, threads, strict, maxSkipped, output,
        };
        var progressEvery = new Option<int>("--progress-every") { Description = "When the output is not a terminal, print a progress line every N images (0: none). A terminal gets a live bar.", DefaultValueFactory = _ => 1000 };
        command.Add(progressEvery);
        command.SetAction(async (result, cancellationToken) =>
        {
            string prefixValue = result.GetRequiredValue(prefix);
            string rootValue = result.GetRequiredValue(rootFolder);
            if (result.GetValue(list))
            {
                var options = new Im2RecListOptions
                {
                    Recursive = result.GetValue(recursive),
                    Exts = result.GetValue(exts)!,
                    Shuffle = !result.GetValue(noShuffle),
                    Seed = result.GetValue(seed),
                    TrainRatio = result.GetValue(trainRatio),
                    TestRatio = result.GetValue(testRatio),
                    Chunks = result.GetValue(chunks),
                };
                (_, IReadOnlyList<(string Folder, int Label)> labels) = Im2RecList.Scan(rootValue, options);
                foreach ((string folder, int label) in labels) console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{folder} {label}"));
                foreach ((string path, IReadOnlyList<ImageListEntry> entries) in Im2RecList.Write(prefixValue, rootValue, options))
                {
                    console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {path} ({entries.Count} images)"));
                }

                return 0;
            }

            var pack = new Im2RecPackOptions
            {
                PassThrough = result.GetValue(passThrough),
                Resize = result.GetValue(resize),
                CenterCrop = result.GetValue(centerCrop),
                Quality = result.GetValue(quality),
                Encoding = ParseEncoding(result.GetValue(encoding)!),
                InterMethod = (Interpolation)result.GetValue(interMethod),
                PlanarResize = !result.GetValue(rgbResize),
                Color = result.GetValue(color),
                PackLabel = result.GetValue(packLabel),
                NumThreads = result.GetValue(threads),
                Strict = result.GetValue(strict),
                MaxSkipped = result.GetValue(maxSkipped),
                Output = result.GetValue(output),
            };
            IReadOnlyList<Im2RecSummary> summaries = await PackWithProgressAsync(console, prefixValue, rootValue, pack, result.GetValue(progressEvery), cancellationToken).ConfigureAwait(false);
            foreach (Im2RecSummary summary in summaries)
            {
                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{summary.RecPath}: {summary.Written} records, {summary.Bytes / 1e6:F1} MB, {summary.Skipped.Count} skipped, {summary.Written / Math.Max(1e-9, summary.Elapsed.TotalSeconds):F0} img/s"));
                foreach ((string path, string reason) in summary.Skipped) console.WriteLine($"  skipped {path}: {reason}");
            }

            return 0;
        });
        return command;
    }

    /// <summary>Maps im2rec's <c>--encoding</c> value (<c>.jpg</c> or <c>.png</c>, already checked by the parser) to the format.</summary>
    private static ImageFormat ParseEncoding(string encoding) => encoding == ".png" ? ImageFormat.Png : ImageFormat.Jpeg;

    private static async Task<IReadOnlyList<Im2RecSummary>> PackWithProgressAsync(IAnsiConsole console, string prefix, string root, Im2RecPackOptions options, int progressEvery, CancellationToken cancellationToken)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(progressEvery, "--progress-every");
            IProgress<Im2RecProgress>? lines = progressEvery > 0 ? new ProgressLines(console, progressEvery) : null;
            return await Im2RecPacker.PackPrefixAsync(prefix, root, options, lines, cancellationToken).ConfigureAwait(false);
        }

        IReadOnlyList<Im2RecSummary> summaries = [];
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                var progress = new Progress<Im2RecProgress>(p =>
                {
                    if (!tasks.TryGetValue(p.ListPath, out ProgressTask? task))
                    {
                        task = context.AddTask(Path.GetFileName(p.ListPath), maxValue: p.Total);
                        tasks[p.ListPath] = task;
                    }

                    task.Value = p.Done;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(p.ListPath)} {p.Done / Math.Max(1e-9, p.Elapsed.TotalSeconds):F0} img/s");
                });
                summaries = await Im2RecPacker.PackPrefixAsync(prefix, root, options, progress, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return summaries;
    }

    private static Command RecCommand(IAnsiConsole console)
    {
        var rec = new Command("rec", "Inspect and maintain .rec files.");
        var file = new Argument<string>("file") { Description = "The .rec file." };

        var verify = new Command("verify", "Read every record; report the first corruption with its offset.") { file };
        verify.SetAction(result =>
        {
            string path = result.GetRequiredValue(file);
            (long records, long bytes, RecordFormatException? error) = RecordFileTools.Verify(path);
            if (error is null)
            {
                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}: OK, {records} records, {bytes} bytes"));
                return 0;
            }

            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}: CORRUPT after {records} good records: {error.Message}"));
            return 1;
        });

        var idxOption = new Option<string?>("--idx") { Description = "The .idx to write (default: next to the .rec)." };
        var ordinalKeys = new Option<bool>("--ordinal-keys") { Description = "Key records by position instead of their header id." };
        var index = new Command("index", "Rebuild the .idx of a .rec.") { file, idxOption, ordinalKeys };
        index.SetAction(result =>
        {
            string path = result.GetRequiredValue(file);
            string idx = result.GetValue(idxOption) ?? Path.ChangeExtension(path, ".idx");
            long count = RecordFileTools.RebuildIndex(path, idx, !result.GetValue(ordinalKeys));
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {idx} ({count} records)"));
            return 0;
        });

        var stats = new Command("stats", "Record count, sizes and label histogram.") { file };
        stats.SetAction(result =>
        {
            var s = RecordFileTools.Stats(result.GetRequiredValue(file));
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"records {s.Records}, bytes min {s.MinBytes} mean {s.MeanBytes:F0} max {s.MaxBytes}"));
            var table = new Table().AddColumn("label").AddColumn("count");
            foreach ((float label, long count) in s.Labels) table.AddRow(label.ToString(CultureInfo.InvariantCulture), count.ToString(CultureInfo.InvariantCulture));
            console.Write(table);
            return 0;
        });

        var count = new Option<int>("-n") { Description = "How many records.", DefaultValueFactory = _ => 10 };
        var det = new Option<bool>("--det") { Description = "Show packed labels as detection labels: header, then each object's class and box (xmin, ymin)-(xmax, ymax)." };
        var head = new Command("head", "Show the headers of the first records.") { file, count, det };
        head.SetAction(result => ShowHeaders(console, result.GetRequiredValue(file), result.GetValue(count), result.GetValue(det)));
        var cat = new Command("cat", "Show the headers of every record.") { file, det };
        cat.SetAction(result => ShowHeaders(console, result.GetRequiredValue(file), -1, result.GetValue(det)));

        var parts = new Option<int>("--parts") { Description = "Number of shards.", Required = true };
        var outPrefix = new Option<string?>("--prefix") { Description = "Shard prefix (default: the .rec without extension)." };
        var split = new Command("split", "Split into shards by dmlc-core's byte-range rule, each with an .idx.") { file, parts, outPrefix };
        split.SetAction(result =>
        {
            string path = result.GetRequiredValue(file);
            foreach ((string shard, long records) in RecordFileTools.Split(path, result.GetValue(outPrefix) ?? Path.ChangeExtension(path, null), result.GetValue(parts)))
            {
                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {shard} ({records} records)"));
            }

            return 0;
        });

        // One rank of a multi-machine job: the shard it reads, as a hash per record (checks that ranks cover a data set once).
        var partIndex = new Option<int>("--part-index") { Description = "This rank's part (0-based).", DefaultValueFactory = _ => 0 };
        var numParts = new Option<int>("--num-parts") { Description = "The number of parts (the world size).", DefaultValueFactory = _ => 1 };
        var hashIdx = new Option<string?>("--idx") { Description = "Shard by the .idx (dmlc-core's indexed_recordio split) instead of by byte range." };
        var hashes = new Command("hashes", "Print the SHA-256 (first 128 bits) of every record of one part (path or URI: s3://, http(s)://).") { file, partIndex, numParts, hashIdx };
        hashes.SetAction(result =>
        {
            string path = result.GetRequiredValue(file);
            int part = result.GetValue(partIndex);
            int total = result.GetValue(numParts);
            long records = 0;
            if (result.GetValue(hashIdx) is { } idx)
            {
                using var reader = new IndexedRecordIOReader(idx, path);
                IReadOnlyList<long> keys = reader.GetPartKeys(part, total);
                for (int start = 0; start < keys.Count; start += 256)
                {
                    long[] batch = [.. keys.Skip(start).Take(256)];
                    byte[][] payloads = reader.ReadIdx(batch);
                    for (int i = 0; i < batch.Length; i++) console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{batch[i]}\t{Convert.ToHexStringLower(SHA256.HashData(payloads[i]))[..32]}"));
                    records += batch.Length;
                }
            }
            else
            {
                using RecordIOReader reader = RecordIOReader.OpenPart(path, part, total);
                long offset = reader.Position;
                while (reader.TryRead(out ReadOnlyMemory<byte> record))
                {
                    console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{offset}\t{Convert.ToHexStringLower(SHA256.HashData(record.Span))[..32]}"));
                    offset = reader.Position;
                    records++;
                }
            }

            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"part {part} of {total}: {records} records"));
            return 0;
        });

        rec.Add(verify);
        rec.Add(hashes);
        rec.Add(index);
        rec.Add(stats);
        rec.Add(head);
        rec.Add(cat);
        rec.Add(split);
        return rec;
    }

    private static int ShowHeaders(IAnsiConsole console, string path, int count, bool detection)
    {
        var table = new Table().AddColumn("offset").AddColumn("flag").AddColumn("label").AddColumn("id").AddColumn("id2").AddColumn("payload bytes");
        foreach ((long offset, ImageRecordHeader header, int bytes) in RecordFileTools.Headers(path, count))
        {
            string label = header.Labels is { } labels
                ? detection ? Markup.Escape(DetectionText(labels)) : "[" + string.Join(", ", labels.Select(l => l.ToString(CultureInfo.InvariantCulture))) + "]"
                : header.Label.ToString(CultureInfo.InvariantCulture);
            table.AddRow(offset.ToString(CultureInfo.InvariantCulture), header.Flag.ToString(CultureInfo.InvariantCulture), label, header.Id.ToString(CultureInfo.InvariantCulture), header.Id2.ToString(CultureInfo.InvariantCulture), bytes.ToString(CultureInfo.InvariantCulture));
        }

        console.Write(table);
        return 0;
    }

    /// <summary>A detection label as text: its header, then one line per object (class and box), or why it does not parse.</summary>
    internal static string DetectionText(float[] raw)
    {
        DetectionLabel label;
        try
        {
            label = DetectionLabel.Parse(raw);
        }
        catch (FormatException error)
        {
            return "not a detection label: " + error.Message;
        }

        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"header [{string.Join(", ", label.Header.Select(v => v.ToString(CultureInfo.InvariantCulture)))}], {label.Count} object{(label.Count == 1 ? string.Empty : "s")}");
        for (int i = 0; i < label.Count; i++)
        {
            float[,] o = label.Objects;
            text.Append('\n').Append(CultureInfo.InvariantCulture, $"{o[i, 0]}: ({o[i, 1]:0.###}, {o[i, 2]:0.###})-({o[i, 3]:0.###}, {o[i, 4]:0.###})");
            for (int k = 5; k < label.ObjectWidth; k++) text.Append(CultureInfo.InvariantCulture, $" {o[i, k]}");
        }

        return text.ToString();
    }
}
