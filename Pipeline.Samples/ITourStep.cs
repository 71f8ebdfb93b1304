namespace Pipeline.Samples;

/// <summary>One step of the tour, runnable alone with <c>-- name</c>.</summary>
internal interface ITourStep
{
    /// <summary>Gets the name that selects the step on the command line.</summary>
    string Name { get; }

    /// <summary>Gets the one line that says what the step demonstrates.</summary>
    string Summary { get; }

    /// <summary>Runs the step.</summary>
    void Run(TourContext context);
}
