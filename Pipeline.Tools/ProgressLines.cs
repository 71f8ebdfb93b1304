using System.Globalization;
using Pipeline.Stages.Im2Rec;
using Spectre.Console;

namespace Pipeline.Tools;

/// <summary>im2rec's progress for output that is not a terminal: one plain line each time a list passes a multiple of N images, as MXNet's im2rec prints every 1,000.</summary>
/// <remarks>Reports arrive on the packer's thread (a synchronous <see cref="IProgress{T}"/>, so lines stay in order); the packer
/// reports every 64 images, so a line shows the count reached at the first report past each multiple.</remarks>
internal sealed class ProgressLines(IAnsiConsole console, int every) : IProgress<Im2RecProgress>
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _printed = [];

    public void Report(Im2RecProgress value)
    {
        lock (_lock)
        {
            int last = _printed.GetValueOrDefault(value.ListPath);
            if (value.Done / every <= last / every) return;
            _printed[value.ListPath] = value.Done;
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{value.ListPath}: {value.Done}/{value.Total} images, {value.Skipped} skipped, {value.Done / Math.Max(1e-9, value.Elapsed.TotalSeconds):F0} img/s"));
        }
    }
}
