using Xunit;

namespace Baton.Storage.Conformance;

/// <summary>Small durable settings and result schemas.</summary>
public abstract class KeyValueConformance : StoreConformanceBase
{
    [Fact]
    public async Task GetValue_Missing_ReturnsNull() => Assert.Null(await Store.GetValueAsync("k"));

    [Fact]
    public async Task GetOrAddValue_Existing_ReturnsStoredValue()
    {
        Assert.Equal("first", await Store.GetOrAddValueAsync("k", "first"));
        Assert.Equal("first", await Store.GetOrAddValueAsync("k", "second"));
        Assert.Equal("first", await Store.GetValueAsync("k"));
    }

    [Fact]
    public async Task GetOrAddValue_Concurrent_AllAgree()
    {
        var values = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => Store.GetOrAddValueAsync("key", "v" + i))));

        Assert.Single(values.Distinct());
    }

    [Fact]
    public async Task SetValue_Existing_Replaced()
    {
        await Store.SetValueAsync("k", "a");
        await Store.SetValueAsync("k", "b");

        Assert.Equal("b", await Store.GetValueAsync("k"));
    }

    [Fact]
    public async Task EnsureSchema_ExistingId_KeepsFirst()
    {
        await Store.EnsureSchemaAsync("s1", "{\"type\":\"object\"}");
        await Store.EnsureSchemaAsync("s1", "{\"type\":\"string\"}");

        Assert.Equal("{\"type\":\"object\"}", await Store.GetSchemaAsync("s1"));
        Assert.Null(await Store.GetSchemaAsync("s2"));
    }
}
