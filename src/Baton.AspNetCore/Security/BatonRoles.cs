namespace Baton.AspNetCore.Security;

/// <summary>The roles an API key can hold.</summary>
public static class BatonRoles
{
    /// <summary>Everything, including API key management.</summary>
    public const string Admin = "admin";

    /// <summary>Monitoring plus manual complete, fail, progress, timeout and retry.</summary>
    public const string Operator = "operator";

    /// <summary>Completes, fails and reports progress on delegated tasks (an outside system).</summary>
    public const string Completer = "completer";

    /// <summary>Starts and cancels workflows and reads them.</summary>
    public const string Starter = "starter";

    /// <summary>Reads workflows and tasks.</summary>
    public const string Viewer = "viewer";

    /// <summary>Every role, in order of power.</summary>
    public static IReadOnlyList<string> All { get; } = [Admin, Operator, Completer, Starter, Viewer];
}

/// <summary>What an endpoint needs; each is granted to a fixed set of roles.</summary>
internal enum BatonPermission
{
    /// <summary>Read workflows, their history and results.</summary>
    ReadWorkflows,

    /// <summary>Read and list tasks.</summary>
    ReadTasks,

    /// <summary>Start and cancel workflows.</summary>
    StartWorkflows,

    /// <summary>Complete, fail and report progress on delegated tasks.</summary>
    CompleteTasks,

    /// <summary>Time out and re-run tasks.</summary>
    ManageTasks,

    /// <summary>Create, list and revoke API keys.</summary>
    ManageKeys,
}

internal static class BatonPermissions
{
    public static IReadOnlyList<string> RolesFor(BatonPermission permission) => permission switch
    {
        BatonPermission.ReadWorkflows => [BatonRoles.Admin, BatonRoles.Operator, BatonRoles.Starter, BatonRoles.Viewer],
        BatonPermission.ReadTasks => [BatonRoles.Admin, BatonRoles.Operator, BatonRoles.Viewer],
        BatonPermission.StartWorkflows => [BatonRoles.Admin, BatonRoles.Starter],
        BatonPermission.CompleteTasks => [BatonRoles.Admin, BatonRoles.Operator, BatonRoles.Completer],
        BatonPermission.ManageTasks => [BatonRoles.Admin, BatonRoles.Operator],
        _ => [BatonRoles.Admin],
    };

    public static bool Allows(this BatonPrincipal principal, BatonPermission permission) =>
        RolesFor(permission).Any(principal.Roles.Contains);
}

/// <summary>An authenticated caller: the API key's principal name and roles.</summary>
/// <param name="Name">Principal name, recorded as the actor in audit trails.</param>
/// <param name="Roles">Its roles (see <see cref="BatonRoles"/>).</param>
/// <param name="KeyId">The id of the API key used.</param>
public sealed record BatonPrincipal(string Name, IReadOnlyList<string> Roles, string KeyId);
