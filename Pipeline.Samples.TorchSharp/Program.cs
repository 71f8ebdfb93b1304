using Pipeline.Samples.TorchSharp;

return (await TorchTour.RunAsync(args, Console.Out)).ExitCode;
