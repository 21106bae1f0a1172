using System.Collections.Concurrent;
using System.Reflection;

namespace Baton.Engine.Tasks;

/// <summary>Reads the result of a finished <c>Task&lt;T&gt;</c> whose T is known only at run time.</summary>
internal static class TaskResults
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo?> ResultProperties = new();

    public static object? Read(Task task)
    {
        var property = ResultProperties.GetOrAdd(task.GetType(), static t =>
        {
            for (var type = t; type is not null; type = type.BaseType)
                if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>)) return type.GetProperty(nameof(Task<object>.Result));
            return null;
        });
        return property?.GetValue(task);
    }
}
