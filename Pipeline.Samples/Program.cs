namespace Pipeline.Samples;

internal static class Program
{
    private static int Main(string[] args) => Tour.Run(args, Console.Out);
}
