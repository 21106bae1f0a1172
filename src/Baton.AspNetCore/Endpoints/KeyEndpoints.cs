using Baton.AspNetCore.Http;
using Baton.AspNetCore.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Baton.AspNetCore.Endpoints;

/// <summary>API key management (admin only). A key's secret is shown once, on creation.</summary>
internal static class KeyEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/keys").WithTags("Keys");
        keys.MapPost("/", (Delegate)CreateAsync).RequirePermission(BatonPermission.ManageKeys)
            .WithSummary("Create an API key: {name, roles}; the key is in the answer only").Produces<CreatedApiKey>(201);
        keys.MapGet("/", (Delegate)ListAsync).RequirePermission(BatonPermission.ManageKeys)
            .WithSummary("List API keys (never their secrets)").Produces<IReadOnlyList<ApiKeyInfo>>();
        keys.MapPost("/{id}/revoke", (Delegate)RevokeAsync).RequirePermission(BatonPermission.ManageKeys)
            .WithSummary("Revoke an API key").Produces<ApiKeyInfo>();
    }

    private static async Task<IResult> CreateAsync(HttpContext http)
    {
        var body = await RequestBody.ReadAsync<CreateKeyBody>(http, http.BodyLimit());
        if (body.Name is null) throw ApiProblemException.BadRequest("'name' is required.");
        if (body.Roles is null) throw ApiProblemException.BadRequest("'roles' is required.");
        var created = await http.RequestServices.GetRequiredService<ApiKeyStore>().CreateAsync(body.Name, body.Roles, http.RequestAborted);
        return Results.Json(created, ApiJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(HttpContext http) =>
        Results.Json(await http.RequestServices.GetRequiredService<ApiKeyStore>().ListAsync(http.RequestAborted), ApiJson.Options);

    private static async Task<IResult> RevokeAsync(HttpContext http, string id) =>
        Results.Json(await http.RequestServices.GetRequiredService<ApiKeyStore>().RevokeAsync(id, http.RequestAborted), ApiJson.Options);

    /// <summary>Body of <c>POST /api/keys</c>.</summary>
    internal sealed record CreateKeyBody(string? Name = null, IReadOnlyList<string>? Roles = null);
}
