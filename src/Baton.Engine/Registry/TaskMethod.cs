using System.Globalization;
using System.Reflection;

namespace Baton.Engine.Registry;

/// <summary>Everything the engine knows about one service method: how to dispatch, run, time and validate it.</summary>
internal sealed class TaskMethod
{
    private TaskMethod(Type serviceType, string serviceName, MethodInfo method)
    {
        ServiceType = serviceType;
        ServiceName = serviceName;
        Method = method;
        var returnType = method.ReturnType;
        ResultType = returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>)
            ? returnType.GetGenericArguments()[0]
            : returnType == typeof(Task) ? null
            : throw new ArgumentException($"{serviceType.Name}.{method.Name} must return Task or Task<T>: task handlers are asynchronous.");
        ParameterTypes = method.GetParameters().Select(p => p.ParameterType).ToArray();
        var delegated = method.GetCustomAttribute<DelegatedAttribute>();
        IsDelegated = delegated is not null;
        CompleteWithin = delegated is null ? null : ParseDuration(delegated.CompleteWithin, "CompleteWithin");
        HeartbeatInterval = delegated is null ? null : ParseDuration(delegated.HeartbeatInterval, "HeartbeatInterval");
        HandlerTimeout = (method.GetCustomAttribute<TimeoutAttribute>() ?? serviceType.GetCustomAttribute<TimeoutAttribute>())?.Duration;
        var retry = method.GetCustomAttribute<RetryAttribute>() ?? serviceType.GetCustomAttribute<RetryAttribute>();
        RetryPolicy = retry?.ToPolicy() ?? RetryPolicy.Default;
        RetryPolicy.Validate();
    }

    public Type ServiceType { get; }

    public string ServiceName { get; }

    public MethodInfo Method { get; }

    public string MethodName => Method.Name;

    /// <summary><c>Service.Method</c>, as recorded in history.</summary>
    public string QualifiedName => $"{ServiceName}.{Method.Name}";

    /// <summary>The T of Task&lt;T&gt;, or null for Task.</summary>
    public Type? ResultType { get; }

    public Type[] ParameterTypes { get; }

    public bool IsDelegated { get; }

    public TimeSpan? CompleteWithin { get; }

    public TimeSpan? HeartbeatInterval { get; }

    public TimeSpan? HandlerTimeout { get; }

    public RetryPolicy RetryPolicy { get; }

    public static IEnumerable<TaskMethod> Describe(Type serviceType)
    {
        if (!serviceType.IsInterface) throw new ArgumentException($"Services are interfaces; {serviceType.Name} is not.");
        var name = ServiceNameOf(serviceType);
        var methods = serviceType.GetMethods();
        var overloaded = methods.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1);
        if (overloaded is not null)
            throw new ArgumentException($"Service {name} overloads {overloaded.Key}; task methods are identified by name, so give each a distinct name.");
        return methods.Select(m => new TaskMethod(serviceType, name, m));
    }

    public static string ServiceNameOf(Type serviceType) =>
        serviceType.GetCustomAttribute<ServiceAttribute>()?.Name
        ?? (serviceType.Name.Length > 1 && serviceType.Name[0] == 'I' && char.IsUpper(serviceType.Name[1]) ? serviceType.Name[1..] : serviceType.Name);

    private TimeSpan? ParseDuration(string? text, string what)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value > TimeSpan.Zero
            ? value
            : throw new ArgumentException($"[Delegated({what} = \"{text}\")] on {ServiceName}.{Method.Name} is not a positive duration such as \"7.00:00:00\".");
    }
}
