using System.Diagnostics;
using System.Net.Http.Headers;
using System.Reflection;
using Baton.AspNetCore.Security;
using Baton.Engine.Hosting;
using Baton.Engine.Storage;
using Baton.Server;
using Baton.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Baton.AspNetCore.Tests;

/// <summary>API keys served from each node's in-memory copy: same-node edits at once, bounded store reads, option checks.</summary>
public sealed class ApiKeyCachingTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task RevokedKey_SameNode_RefusedOnTheVeryNextRequest()
    {
        using var admin = server.Client();
        using var created = await admin.PostAsync("/api/keys", ServerFixture.JsonBody("""{"name":"soon-revoked","roles":["viewer"]}"""));
        var key = await ServerFixture.BodyAsync(created);
        using var holder = server.Client(key.GetProperty("key").GetString());
        using (var before = await holder.GetAsync("/api/workflows"))
            Assert.Equal(200, (int)before.StatusCode);

        using (var revoked = await admin.PostAsync($"/api/keys/{key.GetProperty("info").GetProperty("id").GetString()}/revoke", null))
            Assert.Equal(200, (int)revoked.StatusCode);
        using var after = await holder.GetAsync("/api/workflows");

        // The default cache duration is five seconds: only the edit replacing this node's copy refuses the key this soon.
        Assert.Equal(401, (int)after.StatusCode);
        Assert.Equal("unauthenticated", (await ServerFixture.BodyAsync(after)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Requests_KnownAndUnknownKeys_DoNotReadTheStoredKeysPerRequest()
    {
        await using var app = await CountingApp.StartAsync();
        var stored = await app.Keys.CreateAsync("viewer-principal", [BatonRoles.Viewer]);
        using var known = app.Client(stored.Key);
        var clock = Stopwatch.StartNew();
        var readsBefore = app.Store.KeyReads;

        for (var i = 0; i < 200; i++)
        {
            using var accepted = await known.GetAsync("/api/workflows");
            Assert.Equal(200, (int)accepted.StatusCode);
        }
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async worker =>
        {
            for (var i = 0; i < 50; i++)
            {
                using var garbage = app.Client($"bk_garbage_{worker}_{i}");
                using var refused = await garbage.GetAsync("/api/workflows");
                Assert.Equal(401, (int)refused.StatusCode);
            }
        }));
        var reads = app.Store.KeyReads - readsBefore;

        // 600 requests; each read allowance is a refresh per cache duration plus one per unknown-key interval.
        var elapsed = clock.Elapsed;
        var allowed = 2 + (int)(elapsed / ApiKeyStore.UnknownKeyInterval) + (int)(elapsed / TimeSpan.FromSeconds(5));
        Assert.True(reads <= allowed, $"{reads} reads of the stored keys for 600 requests in {elapsed}; at most {allowed} expected.");
    }

    [Fact]
    public async Task UnreadableStoredKeys_ClearErrorAndEditsChangeNothing()
    {
        await using var app = await CountingApp.StartAsync();
        await app.Store.SetValueAsync("baton.api-keys", "{broken");

        var authenticate = await Assert.ThrowsAsync<InvalidOperationException>(() => app.Keys.AuthenticateAsync("bk_any"));
        var add = await Assert.ThrowsAsync<InvalidOperationException>(() => app.Keys.CreateAsync("x", [BatonRoles.Viewer]));
        var revoke = await Assert.ThrowsAsync<InvalidOperationException>(() => app.Keys.RevokeAsync("x"));

        Assert.All([authenticate, add, revoke], e => Assert.Equal("The stored API keys ('baton.api-keys') are unreadable.", e.Message));
        Assert.Equal("{broken", await app.Store.GetValueAsync("baton.api-keys"));
        using var configured = app.Client(CountingApp.ConfiguredKey);
        using var stillServed = await configured.GetAsync("/api/workflows");
        Assert.Equal(200, (int)stillServed.StatusCode);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:00:01")]
    [InlineData("00:10:00.001")]
    public void Options_ApiKeyCacheDurationOutOfRange_RejectedWithClearMessage(string value)
    {
        var services = new ServiceCollection();
        services.AddBatonApi(o => o.ApiKeyCacheDuration = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
        using var provider = services.BuildServiceProvider();

        var rejected = Assert.Throws<ArgumentException>(() => provider.GetRequiredService<IOptions<BatonApiOptions>>().Value);

        Assert.Contains("ApiKeyCacheDuration must be between 1 millisecond and 10 minutes", rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_ApiKeyCacheDurationNotADuration_FailsAtBuildWithClearMessage()
    {
        var rejected = Assert.Throws<InvalidOperationException>(() => BatonServerApp.Build(["--Baton:ApiKeyCacheDuration=soon"]));

        Assert.Contains("Baton:ApiKeyCacheDuration 'soon' is not a duration", rejected.Message, StringComparison.Ordinal);
    }

    /// <summary>An app with the REST API over a SQLite store that counts reads of the stored API keys.</summary>
    private sealed class CountingApp : IAsyncDisposable
    {
        public const string ConfiguredKey = "bk_configured_admin_0123456789";
        private readonly DirectoryInfo _directory;
        private readonly WebApplication _app;

        private CountingApp(DirectoryInfo directory, WebApplication app)
        {
            _directory = directory;
            _app = app;
        }

        public CountingStore Store => (CountingStore)(object)_app.Services.GetRequiredService<BatonEngine>().Store;

        public ApiKeyStore Keys => _app.Services.GetRequiredService<ApiKeyStore>();

        public static async Task<CountingApp> StartAsync()
        {
            var directory = Directory.CreateTempSubdirectory("baton-keys-");
            var builder = WebApplication.CreateBuilder(["--urls=http://127.0.0.1:0"]);
            builder.Logging.ClearProviders();
            var options = new SqliteStoreOptions { ConnectionString = $"Data Source={Path.Combine(directory.FullName, "baton.db")}" };
            builder.Services.AddBaton(b => b.UseStore(context => CountingStore.Wrap(new SqliteStore(options, context.Signals, context.Time))));
            builder.Services.AddBatonApi(o =>
            {
                var key = new ConfiguredApiKey { Name = "configured-admin", Hash = ApiKeyStore.HashOf(ConfiguredKey) };
                key.Roles.Add(BatonRoles.Admin);
                o.ApiKeys.Add(key);
            });
            var app = builder.Build();
            app.MapBaton();
            await app.StartAsync();
            return new CountingApp(directory, app);
        }

        public HttpClient Client(string key)
        {
            var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return client;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            _directory.Delete(recursive: true);
        }
    }

    /// <summary>Forwards every store call, counting reads of the stored API keys.</summary>
    public class CountingStore : DispatchProxy
    {
        private IBatonStore _inner = null!;
        private int _keyReads;

        public int KeyReads => Volatile.Read(ref _keyReads);

        public static IBatonStore Wrap(IBatonStore inner)
        {
            var store = DispatchProxy.Create<IBatonStore, CountingStore>();
            ((CountingStore)(object)store)._inner = inner;
            return store;
        }

        public Task SetValueAsync(string key, string value) => _inner.SetValueAsync(key, value);

        public Task<string?> GetValueAsync(string key) => _inner.GetValueAsync(key);

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IBatonStore.GetValueAsync) && args is [string key, ..] && key == "baton.api-keys")
                Interlocked.Increment(ref _keyReads);
            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }
    }
}
