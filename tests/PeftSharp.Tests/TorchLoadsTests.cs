using TorchSharp;

namespace PeftSharp.Tests;

public class TorchLoadsTests
{
    [Fact]
    public void Libtorch_loads_and_computes()
    {
        // Guards the build step that weakens libLibTorchSharp.so's GLIBCXX_3.4.32 need.
        using var x = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var y = x.matmul(x.t());
        Assert.Equal(new float[] { 5, 14, 14, 50 }, y.data<float>().ToArray());
    }
}
