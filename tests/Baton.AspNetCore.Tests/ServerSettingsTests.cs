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

    [Theory]
    [InlineData("256MB")]
    [InlineData("-1")]
    public void Server_MaxCachedWorkflowBytesNotANumber_FailsAtBuildWithClearMessage(string value)
    {
        var rejected = Assert.Throws<InvalidOperationException>(() => BatonServerApp.Build([$"--Baton:MaxCachedWorkflowBytes={value}"]));

        Assert.Contains($"Baton:MaxCachedWorkflowBytes '{value}' is not a whole number of bytes", rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_MaxCachedWorkflowBytesTooSmall_ReachesTheEngineOptionsAndIsRefused()
    {
        var rejected = Assert.Throws<ArgumentException>(() => BatonServerApp.Build(["--Baton:MaxCachedWorkflowBytes=1000"]));

        Assert.Contains("MaxCachedWorkflowBytes must be at least 1048576", rejected.Message, StringComparison.Ordinal);
    }
}
