using Baton.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Baton.AspNetCore.Tests;

/// <summary>
/// The server reads its configuration files once: watching them would watch the whole content root, where the database
/// usually lives, and wake on every commit. An argument turns watching back on.
/// </summary>
public sealed class ConfigurationWatchTests
{
    [Theory]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "--hostBuilder:reloadConfigOnChange=true" }, true)]
    public async Task Build_ConfigurationFiles_WatchedOnlyWhenAsked(string[] extraArgs, bool watched)
    {
        var directory = Directory.CreateTempSubdirectory("baton-watch-").FullName;
        try
        {
            IConfigurationBuilder? configuration = null;
            await using var app = BatonServerApp.Build(
                [$"--Baton:Store:ConnectionString=Data Source={Path.Combine(directory, "baton.db")}", .. extraArgs],
                builder =>
                {
                    builder.Logging.ClearProviders();
                    configuration = builder.Configuration;
                });

            var files = configuration!.Sources.OfType<FileConfigurationSource>().ToList();
            Assert.NotEmpty(files); // appsettings.json and appsettings.{Environment}.json, optional
            Assert.All(files, f => Assert.Equal(watched, f.ReloadOnChange));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
