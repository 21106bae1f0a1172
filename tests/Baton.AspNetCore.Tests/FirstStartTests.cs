using Baton.Server;
using Microsoft.Extensions.Logging;

namespace Baton.AspNetCore.Tests;

public sealed class FirstStartTests
{
    [Fact]
    public async Task FirstStart_NoKeyAndNonLoopbackUrl_RefusesToStart()
    {
        var directory = Directory.CreateTempSubdirectory("baton-first-").FullName;
        try
        {
            await using var app = BatonServerApp.Build(
                ["--urls=http://0.0.0.0:0", $"--Baton:Store:ConnectionString=Data Source={Path.Combine(directory, "baton.db")}"],
                builder => builder.Logging.ClearProviders());

            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

            Assert.Contains("only listens on loopback", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://+:5080", false)]
    [InlineData("http://10.1.2.3:5080", false)]
    public void ListeningUrl_Loopback_IsRecognised(string url, bool loopback) =>
        Assert.Equal(loopback, new ListeningUrl(url).IsLoopback);
}
