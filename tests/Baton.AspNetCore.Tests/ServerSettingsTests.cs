using Baton.Server;

namespace Baton.AspNetCore.Tests;

/// <summary>Engine settings the standalone server reads from its configuration.</summary>
public sealed class ServerSettingsTests
{
    [Theory]
    [InlineData("MaxCachedWorkflows", "lots", "workflow instances")]
    [InlineData("MaxCachedWorkflows", "-1", "workflow instances")]
    [InlineData("MaxCachedWorkflowBytes", "256MB", "bytes")]
    [InlineData("MaxCachedWorkflowBytes", "-1", "bytes")]
    public void Server_CacheSettingNotAWholeNumber_FailsAtBuildWithClearMessage(string setting, string value, string unit)
    {
        var rejected = Assert.Throws<InvalidOperationException>(() => BatonServerApp.Build([$"--Baton:{setting}={value}"]));

        Assert.Contains($"Baton:{setting} '{value}' is not a whole number of {unit}", rejected.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MaxCachedWorkflows", "2000000", "MaxCachedWorkflows must be between 0 and 1000000")]
    [InlineData("MaxCachedWorkflowBytes", "1000", "MaxCachedWorkflowBytes must be at least 1048576")]
    public void Server_CacheSettingOutOfRange_ReachesTheEngineOptionsAndIsRefused(string setting, string value, string message)
    {
        // A value the engine refuses proves the setting reaches its options (they are checked when the app is built).
        var rejected = Assert.Throws<ArgumentException>(() => BatonServerApp.Build([$"--Baton:{setting}={value}"]));

        Assert.Contains(message, rejected.Message, StringComparison.Ordinal);
    }
}
