namespace Baton;

/// <summary>Names a workflow type. Without it the workflow is named after its class.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class WorkflowAttribute(string name) : Attribute
{
    /// <summary>The name clients use to start the workflow.</summary>
    public string Name { get; } = name;

    /// <summary>The name of a workflow class: its <see cref="WorkflowAttribute"/> or its class name.</summary>
    public static string NameOf(Type workflowType)
    {
        ArgumentNullException.ThrowIfNull(workflowType);
        return workflowType.GetCustomAttributes(typeof(WorkflowAttribute), false) is [WorkflowAttribute a, ..] ? a.Name : workflowType.Name;
    }
}
