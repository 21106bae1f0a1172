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

    /// <summary>Every role with API permissions, in order of power.</summary>
    public static IReadOnlyList<string> All { get; } = [Admin, Operator, Completer, Starter, Viewer];

    /// <summary>
    /// Whether <paramref name="role"/> is a valid role name: one of <see cref="All"/>, or a role of people that user tasks
    /// are assigned to (<c>manager</c>, <c>finance.director</c>): 1 to 64 lowercase letters, digits, <c>.</c>, <c>_</c>, <c>-</c>.
    /// </summary>
    public static bool IsValidName(string role) =>
        role is { Length: >= 1 and <= 64 } && char.IsAsciiLetterOrDigit(role[0])
        && role.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-');
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

    /// <summary>Any authenticated caller: what it may do is decided per task (user tasks and their assignments).</summary>
    Authenticated,
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
        BatonPermission.Authenticated => ["any"],
        _ => [BatonRoles.Admin],
    };

    public static bool Allows(this BatonPrincipal principal, BatonPermission permission) =>
        permission == BatonPermission.Authenticated || RolesFor(permission).Any(principal.Roles.Contains);
}

/// <summary>An authenticated caller: the API key's principal name and roles.</summary>
/// <param name="Name">Principal name, recorded as the actor in audit trails; the user id user tasks are assigned to.</param>
/// <param name="Roles">Its roles: those of <see cref="BatonRoles"/> grant API permissions; all count for user-task assignment.</param>
/// <param name="KeyId">The id of the API key used.</param>
public sealed record BatonPrincipal(string Name, IReadOnlyList<string> Roles, string KeyId)
{
    /// <summary>The principal as a person acting on user tasks (admins override, operators supervise).</summary>
    public UserIdentity Identity => new(Name, Roles,
        Roles.Contains(BatonRoles.Admin) ? UserTaskPrivilege.Admin : Roles.Contains(BatonRoles.Operator) ? UserTaskPrivilege.Operator : UserTaskPrivilege.None);
}
