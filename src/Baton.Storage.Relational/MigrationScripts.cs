using System.Globalization;
using System.Reflection;

namespace Baton.Storage.Relational;

/// <summary>
/// The versioned scripts a store embeds as <c>Migrations/NNNN_name.sql</c> (resource names <c>&lt;prefix&gt;NNNN_name.sql</c>). The
/// scripts and how they are applied stay with each store; this only lists them.
/// </summary>
internal static class MigrationScripts
{
    /// <summary>The embedded scripts of <paramref name="assembly"/> under <paramref name="prefix"/>, in version order.</summary>
    public static IReadOnlyList<(int Version, string Name)> Available(Assembly assembly, string prefix)
    {
        var list = new List<(int, string)>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(prefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }
            var name = resource[prefix.Length..];
            var digits = name.Split('_')[0];
            list.Add((int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture), resource));
        }
        list.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return list;
    }
}
