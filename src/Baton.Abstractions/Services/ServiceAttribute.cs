namespace Baton;

/// <summary>
/// Names a service: a C# interface whose methods are tasks that workflows dispatch.
/// Without this attribute the service is named after the interface, without its leading <c>I</c>.
/// </summary>
/// <remarks>The name is what external systems use to complete tasks, so keep it stable across refactorings.</remarks>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
public sealed class ServiceAttribute(string name) : Attribute
{
    /// <summary>The service name used in task ids, URLs and the task table.</summary>
    public string Name { get; } = name;
}
