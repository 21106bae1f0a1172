using Baton.AspNetCore;
using Baton.AspNetCore.Endpoints;
using Baton.AspNetCore.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds Baton's REST API to an ASP.NET Core app: <c>services.AddBatonApi()</c> then <c>app.MapBaton()</c>.</summary>
public static class BatonApiExtensions
{
    /// <summary>
    /// Registers the API's services: API keys (<see cref="ApiKeyStore"/>) and options. It also silences the request
    /// logs of ASP.NET Core hosting (category <c>Microsoft.AspNetCore.Hosting.Diagnostics</c>), whose paths and log
    /// scopes would otherwise carry the task tokens of <c>/api/callbacks/{token}</c> URLs; Baton logs no paths.
    /// Register the engine itself with <c>services.AddBaton(...)</c>.
    /// </summary>
    public static IServiceCollection AddBatonApi(this IServiceCollection services, Action<BatonApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<BatonApiOptions>();
        if (configure is not null) options.Configure(configure);
        options.Validate(o =>
        {
            o.Validate();
            return true;
        });
        services.AddSingleton<ApiKeyStore>();
        services.Configure<LoggerFilterOptions>(TokenRedaction.Apply);
        return services;
    }

    /// <summary>
    /// Maps the REST API under <c>/api</c> (plus X4B's <c>/taskstatus/api/task-statuses</c>). Every error is an RFC 7807
    /// problem with a stable <c>code</c>.
    /// </summary>
    public static RouteGroupBuilder MapBaton(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<ApiKeyStore>() is null)
            throw new InvalidOperationException("Call services.AddBatonApi() (and services.AddBaton(...)) before app.MapBaton().");
        _ = endpoints.ServiceProvider.GetRequiredService<IOptions<BatonApiOptions>>().Value;
        var api = endpoints.MapGroup("/api");
        api.AddEndpointFilter(new ProblemFilter());
        WorkflowEndpoints.Map(api);
        TaskEndpoints.Map(api);
        CallbackEndpoints.Map(api);
        TaskStatusEndpoints.Map(endpoints, api);
        UserTaskEndpoints.Map(api);
        KeyEndpoints.Map(api);
        return api;
    }
}

/// <summary>Keeps task tokens out of logs.</summary>
internal static class TokenRedaction
{
    /// <summary>
    /// Switches off the ASP.NET Core log events that carry request paths: hosting's request start/finish lines and its
    /// request log scope (category off entirely), and the Debug-level lines of routing, static files and Kestrel's
    /// bad-request reports.
    /// </summary>
    public static void Apply(LoggerFilterOptions options)
    {
        options.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        options.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Information);
        options.AddFilter("Microsoft.AspNetCore.StaticFiles", LogLevel.Information);
        options.AddFilter("Microsoft.AspNetCore.Server.Kestrel.BadRequests", LogLevel.Information);
        options.AddFilter("Microsoft.AspNetCore.HttpLogging", LogLevel.None);
    }
}
