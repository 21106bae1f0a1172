namespace Baton;

/// <summary>What a caller may do to user tasks beyond those assigned to it.</summary>
public enum UserTaskPrivilege
{
    /// <summary>Only tasks assigned to the user or to one of its roles.</summary>
    None,

    /// <summary>Also sees every user task, reassigns and releases claims (the <c>operator</c> role).</summary>
    Operator,

    /// <summary>Also claims and completes any user task, recorded as an override (the <c>admin</c> role).</summary>
    Admin,
}

/// <summary>A person acting on user tasks: the user id tasks are assigned to, the roles it holds, and its privilege.</summary>
/// <param name="UserId">The user id (an API key's principal name over HTTP).</param>
/// <param name="Roles">Every role the user holds.</param>
/// <param name="Privilege">Extra powers of operators and admins.</param>
public sealed record UserIdentity(string UserId, IReadOnlyList<string> Roles, UserTaskPrivilege Privilege = UserTaskPrivilege.None)
{
    /// <summary>Whether <paramref name="role"/> is among <see cref="Roles"/> (case-insensitive).</summary>
    public bool HasRole(string role) => Roles.Any(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));
}
