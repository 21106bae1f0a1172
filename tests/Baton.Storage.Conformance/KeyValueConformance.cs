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
    public async Task CompareAndSetValue_NullExpected_StoresOnlyWhenAbsent()
    {
        Assert.True(await Store.CompareAndSetValueAsync("k", null, "a"));
        Assert.False(await Store.CompareAndSetValueAsync("k", null, "b"));

        Assert.Equal("a", await Store.GetValueAsync("k"));
    }

    [Fact]
    public async Task CompareAndSetValue_Expected_ReplacesOnlyThatValue()
    {
        await Store.SetValueAsync("k", "a");

        Assert.False(await Store.CompareAndSetValueAsync("k", "A", "x"));
        Assert.False(await Store.CompareAndSetValueAsync("k", "a ", "x"));
        Assert.Equal("a", await Store.GetValueAsync("k"));
        Assert.True(await Store.CompareAndSetValueAsync("k", "a", "b"));
        Assert.Equal("b", await Store.GetValueAsync("k"));
    }

    [Fact]
    public async Task CompareAndSetValue_ExpectedButAbsent_StoresNothing()
    {
        Assert.False(await Store.CompareAndSetValueAsync("k", "a", "b"));

        Assert.Null(await Store.GetValueAsync("k"));
    }

    [Fact]
    public async Task CompareAndSetValue_ConcurrentSameExpected_ExactlyOneWins()
    {
        await Store.SetValueAsync("k", "v0");

        var won = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => Task.Run(() => Store.CompareAndSetValueAsync("k", "v0", "v" + i))));

        Assert.Single(won, w => w);
        Assert.Equal("v" + (Array.IndexOf(won, true) + 1), await Store.GetValueAsync("k"));
    }

    [Fact]
    public async Task CompareAndSetValue_ConcurrentReadModifyWriteLoops_LoseNoEdit()
    {
        // What a multi-node list edit does: read, add one item, compare-and-set, and read again on conflict.
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(async () =>
        {
            while (true)
            {
                var current = await Store.GetValueAsync("list");
                var next = current is null ? "i" + i : current + ",i" + i;
                if (await Store.CompareAndSetValueAsync("list", current, next)) return;
            }
        })));

        var items = (await Store.GetValueAsync("list"))!.Split(',');
        Assert.Equal(Enumerable.Range(0, 10).Select(i => "i" + i).Order(StringComparer.Ordinal), items.Order(StringComparer.Ordinal));
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
