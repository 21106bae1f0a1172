using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Baton.Engine.UserTasks;

/// <summary>
/// A dot path into a JSON object (<c>review</c>, <c>process.decision</c>) where submitted data is merged into a user task's
/// input: ProceedTask's "enrich with stored event data".
/// </summary>
internal static partial class EnrichPath
{
    [GeneratedRegex(@"^[A-Za-z_$][A-Za-z0-9_$\-]{0,63}(\.[A-Za-z_$][A-Za-z0-9_$\-]{0,63}){0,15}$")]
    private static partial Regex Syntax();

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="path"/> is a dot path that can be merged into <paramref name="inputJson"/>.</summary>
    public static void Check(string path, string inputJson)
    {
        if (!Syntax().IsMatch(path))
            throw new ArgumentException($"The enrich path '{path}' is not a dot path of member names (e.g. 'review' or 'process.decision').", nameof(path));
        var node = JsonNode.Parse(inputJson);
        if (node is not null and not JsonObject)
            throw new ArgumentException($"The enrich path '{path}' needs the input to be a JSON object (or null); it is a {node.GetValueKind()}.", nameof(path));
        foreach (var segment in path.Split('.')[..^1])
        {
            node = node?[segment];
            if (node is not null and not JsonObject)
                throw new ArgumentException($"The enrich path '{path}' passes through '{segment}', which is not a JSON object in the input.", nameof(path));
        }
    }

    /// <summary>The input with <paramref name="dataJson"/> set at <paramref name="path"/> (intermediate objects created).</summary>
    public static string Merge(string inputJson, string path, string dataJson)
    {
        var root = JsonNode.Parse(inputJson) as JsonObject ?? [];
        var target = root;
        var segments = path.Split('.');
        foreach (var segment in segments[..^1])
        {
            if (target[segment] is not JsonObject next)
            {
                next = [];
                target[segment] = next;
            }
            target = next;
        }
        target[segments[^1]] = JsonNode.Parse(dataJson);
        return root.ToJsonString();
    }
}
