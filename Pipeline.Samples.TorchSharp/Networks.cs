using TorchSharp;
using static TorchSharp.torch.nn;

namespace Pipeline.Samples.TorchSharp;

/// <summary>The networks the sample trains.</summary>
internal static class Networks
{
    /// <summary>The tutorial's MLP: <c>fc1</c> (64) -> ReLU -> <c>fc2</c> (10); the softmax is in the loss, as MXNet's <c>SoftmaxOutput</c>.</summary>
    public static torch.nn.Module<torch.Tensor, torch.Tensor> Mlp(int inputs) => Sequential(
        ("fc1", Linear(inputs, 64)),
        ("relu1", ReLU()),
        ("fc2", Linear(64, 10)));

    /// <summary>A small CNN for 3x56x56 images: three 3x3 convolutions (16, 32, 64) with pooling, global average, a linear head.</summary>
    public static torch.nn.Module<torch.Tensor, torch.Tensor> SmallCnn(int classes) => Sequential(
        ("conv1", Conv2d(3, 16, 3, padding: 1)),
        ("relu1", ReLU()),
        ("pool1", MaxPool2d(2)),
        ("conv2", Conv2d(16, 32, 3, padding: 1)),
        ("relu2", ReLU()),
        ("pool2", MaxPool2d(2)),
        ("conv3", Conv2d(32, 64, 3, padding: 1)),
        ("relu3", ReLU()),
        ("gap", AdaptiveAvgPool2d(1)),
        ("flatten", Flatten()),
        ("fc", Linear(64, classes)));

    /// <summary>A linear classifier over the flattened 3x56x56 image: almost no compute, so an epoch measures the data path.</summary>
    public static torch.nn.Module<torch.Tensor, torch.Tensor> LinearOnPixels(int classes) => Sequential(
        ("flatten", Flatten()),
        ("fc", Linear(3 * 56 * 56, classes)));
}
