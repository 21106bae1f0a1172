namespace Baton.Engine.Registry;

/// <summary>The services this node knows (to validate results) and runs (to claim tasks): built once, then read-only.</summary>
internal sealed class ServiceRegistry
{
    private readonly Dictionary<(Type, string), TaskMethod> _byMethod = [];
    private readonly Dictionary<(string Service, string Method), TaskMethod> _byName = [];
    private readonly Dictionary<string, Type> _implementations = new(StringComparer.Ordinal);

    public ServiceRegistry(IEnumerable<ServiceRegistration> registrations)
    {
        foreach (var registration in registrations)
        {
            foreach (var method in TaskMethod.Describe(registration.ServiceType))
            {
                if (_byName.TryGetValue((method.ServiceName, method.MethodName), out var existing) && existing.ServiceType != method.ServiceType)
                    throw new ArgumentException($"Two service interfaces are named '{method.ServiceName}': {existing.ServiceType.FullName} and {method.ServiceType.FullName}.");
                _byName[(method.ServiceName, method.MethodName)] = method;
                _byMethod[(registration.ServiceType, method.MethodName)] = method;
            }
            if (registration.ImplementationType is not null)
                _implementations[TaskMethod.ServiceNameOf(registration.ServiceType)] = registration.ServiceType;
        }
    }

    /// <summary>Names of the services whose handlers run on this node.</summary>
    public IReadOnlyCollection<string> HostedServiceNames => _implementations.Keys;

    public bool IsHosted(string serviceName) => _implementations.ContainsKey(serviceName);

    public TaskMethod? Find(string serviceName, string methodName) =>
        _byName.GetValueOrDefault((serviceName, methodName));

    /// <summary>The method of a dispatch, described on first use for interfaces that were not registered (dispatch-only services).</summary>
    public TaskMethod Describe(Type serviceType, string methodName)
    {
        if (_byMethod.TryGetValue((serviceType, methodName), out var method)) return method;
        lock (_byMethod)
        {
            foreach (var m in TaskMethod.Describe(serviceType)) _byMethod.TryAdd((serviceType, m.MethodName), m);
            return _byMethod[(serviceType, methodName)];
        }
    }
}

/// <summary>A service interface and, when this node runs its handlers, the implementation type.</summary>
internal sealed record ServiceRegistration(Type ServiceType, Type? ImplementationType);
