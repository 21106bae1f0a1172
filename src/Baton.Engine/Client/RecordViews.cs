using System.Text.Json;
using Baton.Engine.Serialization;
using Baton.Engine.Storage;

namespace Baton.Engine;

/// <summary>Stored task records as the client contracts show them.</summary>
internal static class TaskViews
{
    public static TaskInfo Info(TaskRecord t) => new()
    {
        TaskId = t.TaskId,
        ServiceName = t.ServiceName,
        MethodName = t.MethodName,
        WorkflowId = t.WorkflowId,
        State = t.State,
        IsDelegated = t.IsDelegated,
        Attempt = t.Attempt,
        CreatedAt = t.CreatedAt,
        UpdatedAt = t.UpdatedAt,
        DelegatedAt = t.DelegatedAt,
        DeadlineAt = t.DeadlineAt,
        CompletedAt = t.CompletedAt,
        Progress = t.ProgressAt is { } at ? new ProgressInfo(t.ProgressPercent, t.ProgressMessage, PayloadCodec.ToElement(t.ProgressDetails), at) : null,
        Tags = t.Tags,
        Meta = t.Meta,
    };

    public static TaskDetails Details(TaskRecord t, IReadOnlyList<TaskAuditRecord> audit, PayloadCodec codec, string? token, Uri? callbackUrl)
    {
        var info = Info(t);
        return new TaskDetails
        {
            TaskId = info.TaskId, ServiceName = info.ServiceName, MethodName = info.MethodName, WorkflowId = info.WorkflowId, State = info.State,
            IsDelegated = info.IsDelegated, Attempt = info.Attempt, CreatedAt = info.CreatedAt, UpdatedAt = info.UpdatedAt,
            DelegatedAt = info.DelegatedAt, DeadlineAt = info.DeadlineAt, CompletedAt = info.CompletedAt, Progress = info.Progress,
            Tags = info.Tags, Meta = info.Meta,
            Arguments = PayloadCodec.ToElement(t.Arguments),
            Result = t.State == TaskState.Completed ? PayloadCodec.ToElement(t.Result) : null,
            Error = codec.DeserializeError(t.Error),
            Token = token,
            CallbackUrl = callbackUrl,
            Audit = [.. audit.Select(a => new TaskAuditEntry(a.Seq, a.At, a.Kind, a.Actor, a.Via, a.Detail, PayloadCodec.ToElement(a.Data)))],
            ProgressTimeline = [.. audit.Where(a => a.Kind == "Progress").Select(a => ProgressOf(a))],
        };
    }

    private static ProgressInfo ProgressOf(TaskAuditRecord entry)
    {
        if (entry.Data is null) return new ProgressInfo(null, entry.Detail, null, entry.At);
        using var document = JsonDocument.Parse(entry.Data);
        var root = document.RootElement;
        double? percent = root.TryGetProperty("percent", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetDouble() : null;
        var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        JsonElement? details = root.TryGetProperty("details", out var d) && d.ValueKind != JsonValueKind.Null ? d.Clone() : null;
        return new ProgressInfo(percent, message, details, entry.At);
    }
}

/// <summary>Stored workflow records and history as the client contracts show them.</summary>
internal static class WorkflowViews
{
    public static WorkflowInfo Info(WorkflowRecord w, PayloadCodec codec, IReadOnlyList<TaskRecord> openTasks) => new()
    {
        Id = w.Id,
        Workflow = w.Name,
        State = w.State,
        Input = PayloadCodec.ToElement(w.Input),
        Result = PayloadCodec.ToElement(w.Result),
        Error = codec.DeserializeError(w.Error),
        ParentId = w.ParentId,
        CreatedAt = w.CreatedAt,
        UpdatedAt = w.UpdatedAt,
        CompletedAt = w.CompletedAt,
        Tags = w.Tags,
        Meta = w.Meta,
        OpenTasks = [.. openTasks.Select(TaskViews.Info)],
    };

    public static WorkflowHistoryEvent Event(HistoryEvent e) =>
        new(e.Seq, e.Kind.ToString(), e.At, e.CommandId, e.Name, e.RefId, ParseOrString(e.Payload));

    private static JsonElement? ParseOrString(string? payload)
    {
        if (payload is null) return null;
        try
        {
            return PayloadCodec.ToElement(payload);
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(payload);
        }
    }
}
