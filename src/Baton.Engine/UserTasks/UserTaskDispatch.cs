using System.Text.Json;
using Baton.Engine.Serialization;
using Baton.Engine.Storage;

namespace Baton.Engine.UserTasks;

/// <summary>Turns a workflow's <see cref="UserTaskRequest"/> into the task to store, rejecting a request no one could act on.</summary>
internal static class UserTaskDispatch
{
    public const int MaxRoles = 20;

    /// <summary>The task to create and, when the data has a schema, that schema.</summary>
    public static (NewTask Task, (string Id, string Text) Schema) Create(
        UserTaskRequest request, Type dataType, string taskId, string workflowId, int commandId, string workflowName, DateTimeOffset now,
        PayloadCodec codec, PayloadValidator validator)
    {
        var name = Text(request.Name, "Name", 200);
        var action = Text(request.Action, "Action", 100);
        var spec = request.Spec is null ? workflowName : Text(request.Spec, "Spec", 100);
        var user = request.User is null ? null : Text(request.User, "User", 100);
        var roles = NormalizeRoles(request.Roles ?? []);
        if (user is null && roles.Count == 0)
            throw new ArgumentException($"User task '{name}' needs a User or at least one role: otherwise no one could complete it.", nameof(request));
        if (request.Timeout is { } t && t < TimeSpan.Zero) throw new ArgumentException("A user task's Timeout cannot be negative.", nameof(request));
        DateTimeOffset? deadline = request.Timeout is { } timeout ? now + timeout : null;
        if (request.TimeoutOn is { } on && (deadline is null || on < deadline)) deadline = on;

        var input = request.Input switch
        {
            null => "null",
            JsonElement element => codec.Accept(element, $"The input of user task '{name}'"),
            var value => codec.Serialize(value, value.GetType()),
        };
        codec.CheckSize(input, $"The input of user task '{name}'");
        if (request.EnrichPath is { } path) EnrichPath.Check(path, input);

        (string Id, string Text) schema;
        string? dataTypeName = null;
        if (request.DataSchema is { ValueKind: not JsonValueKind.Undefined and not JsonValueKind.Null } custom)
        {
            if (dataType != typeof(JsonElement) && dataType != typeof(object))
                throw new ArgumentException("DataSchema is for untyped data (UserTask<JsonElement>); a typed user task uses the schema of its data type.", nameof(request));
            schema = validator.SchemaOfText(custom.GetRawText());
        }
        else
        {
            schema = validator.SchemaOf(dataType);
            dataTypeName = dataType.AssemblyQualifiedName;
        }

        var tags = request.Tags ?? [];
        var task = new NewTask
        {
            TaskId = taskId,
            WorkflowId = workflowId,
            CommandId = commandId,
            ServiceName = UserTaskRequest.ServiceName,
            MethodName = action,
            Arguments = "[" + input + "]",
            IsDelegated = true,
            DeadlineAt = deadline,
            ResultSchemaId = schema.Id,
            Tags = tags,
            CreatedAt = now,
            UserTask = new NewUserTask
            {
                Name = name,
                Spec = spec,
                Action = action,
                User = user,
                Roles = roles,
                Priority = request.Priority,
                DueAt = request.DueAt,
                FollowUpAt = request.FollowUpAt,
                EnrichPath = request.EnrichPath,
                DataType = dataTypeName,
            },
        };
        return (task, schema);
    }

    /// <summary>Roles as stored and compared: trimmed, lowercase, distinct; throws on an empty or overlong one.</summary>
    public static IReadOnlyList<string> NormalizeRoles(IEnumerable<string> roles)
    {
        var list = new List<string>();
        foreach (var role in roles)
        {
            var normalized = Text(role, "Role", 64).ToLowerInvariant();
            if (!list.Contains(normalized)) list.Add(normalized);
        }
        if (list.Count > MaxRoles) throw new ArgumentException($"A user task can have at most {MaxRoles} roles.", nameof(roles));
        return list;
    }

    private static string Text(string? value, string what, int max)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"A user task's {what} is required and cannot be blank.", what);
        var trimmed = value.Trim();
        if (trimmed.Length > max || trimmed.Any(char.IsControl))
            throw new ArgumentException($"A user task's {what} must be at most {max} printable characters.", what);
        return trimmed;
    }
}
