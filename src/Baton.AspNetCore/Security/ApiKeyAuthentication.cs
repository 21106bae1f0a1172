using Baton.AspNetCore.Http;
using Baton.Engine.Hosting;
using Baton.Engine.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Baton.AspNetCore.Security;

/// <summary>
/// Authenticates the caller by API key (<c>Authorization: Bearer &lt;key&gt;</c> with the scheme in any letter case, or
/// <c>X-Api-Key</c>) and checks the endpoint's permission: 401 without or with an unknown or revoked key, 403 without the role.
/// </summary>
internal sealed class ApiKeyAuthentication(BatonPermission permission) : IEndpointFilter
{
    private const string PrincipalItem = "Baton.Principal";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = PresentedKey(http.Request)
            ?? throw new ApiProblemException(StatusCodes.Status401Unauthorized, BatonErrorCodes.Unauthenticated,
                "An API key is required: send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.");
        var keys = http.RequestServices.GetRequiredService<ApiKeyStore>();
        var principal = await keys.AuthenticateAsync(key, http.RequestAborted).ConfigureAwait(false)
            ?? throw new ApiProblemException(StatusCodes.Status401Unauthorized, BatonErrorCodes.Unauthenticated, "The API key is unknown or revoked.");
        if (!principal.Allows(permission))
            throw new ApiProblemException(StatusCodes.Status403Forbidden, BatonErrorCodes.Forbidden,
                $"'{principal.Name}' lacks the role for this operation; it needs one of: {string.Join(", ", BatonPermissions.RolesFor(permission))}.");
        http.Items[PrincipalItem] = principal;
        return await next(context).ConfigureAwait(false);
    }

    /// <summary>The authenticated caller of this request.</summary>
    public static BatonPrincipal Principal(HttpContext http) =>
        http.Items.TryGetValue(PrincipalItem, out var value) && value is BatonPrincipal principal
            ? principal
            : throw new InvalidOperationException("The endpoint has no API key authentication.");

    /// <summary>The engine's client acting as the caller, for audit trails.</summary>
    public static AuditSource Source(HttpContext http) => new(Principal(http).Name, "http");

    private static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization;
        if (authorization.Count > 0 && authorization[0] is { } header)
        {
            var space = header.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && header[..space].Equals("Bearer", StringComparison.OrdinalIgnoreCase) && header[(space + 1)..].Trim() is { Length: > 0 } bearer)
                return bearer;
        }
        return request.Headers["X-Api-Key"] is [{ Length: > 0 } apiKey] ? apiKey.Trim() : null;
    }
}

/// <summary>Turns every caller's mistake into its problem document; anything else is a genuine fault and propagates.</summary>
internal sealed class ProblemFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (Exception exception) when (Problems.For(exception) is not null && !context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return Problems.For(exception);
        }
    }
}

internal static class EndpointConventions
{
    public static RouteHandlerBuilder RequirePermission(this RouteHandlerBuilder builder, BatonPermission permission) =>
        builder.AddEndpointFilter(new ApiKeyAuthentication(permission));

    public static BatonEngine Engine(this HttpContext http) => http.RequestServices.GetRequiredService<BatonEngine>();

    /// <summary>The engine's client acting as the caller: audited as them, and bound by the user-task rules as them.</summary>
    public static Baton.Engine.InProcessBatonClient Client(this HttpContext http) =>
        http.Engine().Client.As(ApiKeyAuthentication.Source(http), ApiKeyAuthentication.Principal(http).Identity);

    /// <summary>The caller's inbox.</summary>
    public static Baton.Engine.UserTasks.InProcessUserTaskClient Inbox(this HttpContext http) =>
        http.Engine().UserTasks(ApiKeyAuthentication.Principal(http).Identity, ApiKeyAuthentication.Source(http));

    public static long BodyLimit(this HttpContext http) =>
        http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<BatonApiOptions>>().Value.MaxRequestBodyBytes;
}
