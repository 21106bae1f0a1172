using Baton.Server;

namespace Baton.AspNetCore.Tests;

/// <summary>Engine settings the standalone server reads from its configuration.</summary>
public sealed class ServerSettingsTests
{
    [Theory]
    [InlineData("lots")]
    [InlineData("-1")]
    public void Server_MaxCachedWorkflowsNotACount_FailsAtBuildWithClearMessage(string value)
    {
        var rejected = Assert.Throws<InvalidOperationException>(() => BatonServerApp.Build([$"--Baton:MaxCachedWorkflows={value}"]));

        Assert.Contains($"Baton:MaxCachedWorkflows '{value}' is not a whole number", rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_MaxCachedWorkflowsOutOfRange_ReachesTheEngineOptionsAndIsRefused()
    {
        // A count the engine refuses proves the setting reaches its options (they are checked when the app is built).
        var rejected = Assert.Throws<ArgumentException>(() => BatonServerApp.Build(["--Baton:MaxCachedWorkflows=2000000"]));

        Assert.Contains("MaxCachedWorkflows must be between 0 and 1000000", rejected.Message, StringComparison.Ordinal);
    }
}
