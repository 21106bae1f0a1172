namespace Baton.Engine.Registry;

/// <summary>A registered workflow type.</summary>
internal sealed record WorkflowType(string Name, Type Type, Type InputType, Type ResultType, Func<Workflow> Create);

/// <summary>The workflow types this node runs, by name.</summary>
internal sealed class WorkflowRegistry
{
    private readonly Dictionary<string, WorkflowType> _byName = new(StringComparer.Ordinal);

    public WorkflowRegistry(IEnumerable<WorkflowType> types)
    {
        foreach (var type in types)
        {
            if (_byName.TryGetValue(type.Name, out var existing) && existing.Type != type.Type)
                throw new ArgumentException($"Two workflow types are named '{type.Name}': {existing.Type.FullName} and {type.Type.FullName}.");
            _byName[type.Name] = type;
        }
    }

    public IReadOnlyList<string> Names => [.. _byName.Keys.Order(StringComparer.Ordinal)];

    public WorkflowType? Find(string name) => _byName.GetValueOrDefault(name);

    public static WorkflowType Describe<TWorkflow>() where TWorkflow : Workflow, new()
    {
        var probe = new TWorkflow();
        return new WorkflowType(WorkflowAttribute.NameOf(typeof(TWorkflow)), typeof(TWorkflow), probe.InputType, probe.ResultType, static () => new TWorkflow());
    }
}
