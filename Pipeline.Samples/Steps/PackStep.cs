using Pipeline.Core.RecordIO;

namespace Pipeline.Samples.Steps;

/// <summary>The tutorial's pack/unpack section: a 24-byte header with a scalar or an array label in front of the payload.</summary>
internal sealed class PackStep : ITourStep
{
    public string Name => "pack";

    public string Summary => "ImageRecord.Pack/Unpack put MXNet's IRHeader (flag, label, id, id2) and array labels in front of a payload.";

    public void Run(TourContext context)
    {
        byte[] data = "data"u8.ToArray();
        byte[] s1 = ImageRecord.Pack(new ImageRecordHeader(Flag: 0, Label: 1.0f, Id: 1, Id2: 0), data);
        byte[] s2 = ImageRecord.Pack(new ImageRecordHeader(Flag: 0, Label: 0f, Id: 2, Id2: 0) { Labels = [1.0f, 2.0f, 3.0f] }, data);
        context.Out.WriteLine($"s1: {PythonRepr.Bytes(s1)}");
        context.Out.WriteLine($"s2: {PythonRepr.Bytes(s2)}");
        Print(context, s1);
        Print(context, s2);
    }

    private static void Print(TourContext context, byte[] packed)
    {
        (ImageRecordHeader header, ReadOnlyMemory<byte> payload) = ImageRecord.Unpack(packed);
        string label = header.Labels is { } labels
            ? $"array([{string.Join(", ", labels.Select(l => PythonRepr.Float(l).TrimEnd('0')))}], dtype=float32)"
            : PythonRepr.Float(header.Label);
        context.Out.WriteLine($"unpack: (HEADER(flag={header.Flag}, label={label}, id={header.Id}, id2={header.Id2}), {PythonRepr.Bytes(payload.Span)})");
    }
}
