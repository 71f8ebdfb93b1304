namespace Pipeline.Tests.Infrastructure;

/// <summary>Tests that measure the whole process (heap, working set) run in this collection, after and apart from every other test, so no test running beside them moves their figures.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMeasurements
{
    public const string Name = "Process-wide measurements";
}
