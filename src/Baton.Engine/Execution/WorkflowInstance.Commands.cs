using System.Collections.ObjectModel;
using System.Text;
using Baton.Engine.Storage;

namespace Baton.Engine.Execution;

internal sealed partial class WorkflowInstance
{
    public Deferred<T> ScheduleTask<T>(TaskCall call, DispatchOptions? options)
    {
        var method = _services.Services.Describe(call.ServiceType, call.Method.Name);
        var id = ++_lastCommandId;
        var deferred = new Deferred<T>(method.QualifiedName);
        var taskId = MatchRecorded(id, HistoryEventKind.TaskScheduled, method.QualifiedName, $"dispatches task {method.QualifiedName}");
        if (taskId is null)
        {
            var step = _step!;
            taskId = _services.NewTaskId(Now);
            var arguments = SerializeArguments(method.ParameterTypes, call.Arguments);
            _services.Codec.CheckSize(arguments, $"The arguments of {method.QualifiedName}");
            string? schemaId = null;
            if (method.IsDelegated && method.ResultType is not null)
            {
                var schema = _services.Validator.SchemaOf(method.ResultType);
                schemaId = schema.Id;
                step.Schemas.Add(schema);
            }
            var completeWithin = options?.CompleteWithin ?? method.CompleteWithin;
            DateTimeOffset? deadline = completeWithin is { } within ? Now + within : null;
            if (options?.CompleteBy is { } by && (deadline is null || by < deadline)) deadline = by;
            if (!method.IsDelegated) deadline = null;
            var retry = options?.Retry;
            retry?.Validate();
            step.Tasks.Add(new NewTask
            {
                TaskId = taskId,
                WorkflowId = WorkflowId,
                CommandId = id,
                ServiceName = method.ServiceName,
                MethodName = method.MethodName,
                Arguments = arguments,
                IsDelegated = method.IsDelegated,
                DeadlineAt = deadline,
                HeartbeatInterval = method.IsDelegated ? options?.HeartbeatInterval ?? method.HeartbeatInterval : null,
                HandlerTimeout = options?.HandlerTimeout,
                RetryPolicy = retry is null ? null : RetryPolicyJson.Serialize(retry),
                ResultSchemaId = schemaId,
                Tags = options?.Tags ?? [],
                Meta = options?.Meta ?? ReadOnlyDictionary<string, string>.Empty,
                CreatedAt = Now,
            });
            step.Events.Add(new NewHistoryEvent(HistoryEventKind.TaskScheduled, Now, id, method.QualifiedName, taskId, arguments));
        }
        _open[id] = new OpenCommand(deferred, HistoryEventKind.TaskScheduled, method.ResultType, method.ServiceName, method.QualifiedName, taskId);
        return deferred;
    }

    public Deferred<UserTaskResult<TData>> ScheduleUserTask<TData>(UserTaskRequest request)
    {
        var id = ++_lastCommandId;
        var deferred = new Deferred<UserTaskResult<TData>>($"UserTask({request.Action})");
        var taskId = MatchRecorded(id, HistoryEventKind.TaskScheduled, UserTaskRequest.ServiceName, "hands a user task to people");
        string input;
        if (taskId is null)
        {
            var step = _step!;
            taskId = _services.NewTaskId(Now);
            var (task, schema) = UserTasks.UserTaskDispatch.Create(request, typeof(TData), taskId, WorkflowId, id, _type.Name, Now, _services.Codec, _services.Validator);
            step.Schemas.Add(schema);
            step.Tasks.Add(task);
            step.Events.Add(new NewHistoryEvent(HistoryEventKind.TaskScheduled, Now, id, UserTaskRequest.ServiceName, taskId, task.Arguments));
            input = UserTasks.UserTaskEnvelope.InputOf(task.Arguments);
        }
        else
        {
            input = _recorded[id].Payload is { } arguments ? UserTasks.UserTaskEnvelope.InputOf(arguments) : "null";
        }
        _open[id] = new OpenCommand(deferred, HistoryEventKind.TaskScheduled, typeof(UserTaskResult<TData>), UserTaskRequest.ServiceName,
            $"UserTask({request.Action})", taskId, new UserTaskOutcomes<TData>(input));
        return deferred;
    }

    public Deferred<object?> StartTimer(DateTimeOffset dueAt, string description)
    {
        var id = ++_lastCommandId;
        var deferred = new Deferred<object?>(description);
        if (MatchRecorded(id, HistoryEventKind.TimerStarted, "Timer", "starts a timer") is null && _step is { } step)
        {
            step.Timers.Add(new NewTimer(TimerKind.WorkflowTimer, dueAt, WorkflowId, id));
            step.Events.Add(new NewHistoryEvent(HistoryEventKind.TimerStarted, Now, id, "Timer", null, _services.Codec.Serialize(dueAt, typeof(DateTimeOffset))));
        }
        _open[id] = new OpenCommand(deferred, HistoryEventKind.TimerStarted, null, "", description, null);
        return deferred;
    }

    public Deferred<TResult> StartChild<TResult>(Type workflowType, object? input, ChildWorkflowOptions? options)
    {
        var name = WorkflowAttribute.NameOf(workflowType);
        var id = ++_lastCommandId;
        var deferred = new Deferred<TResult>($"child {name}");
        var childId = MatchRecorded(id, HistoryEventKind.ChildWorkflowStarted, name, $"starts child workflow {name}");
        if (childId is null)
        {
            var step = _step!;
            childId = options?.Id ?? $"{WorkflowId}/{id}";
            var inputType = InputTypeOf(workflowType);
            var inputJson = _services.Codec.Serialize(input, inputType);
            _services.Codec.CheckSize(inputJson, $"The input of child workflow {name}");
            step.Children.Add(new NewWorkflow(childId, name, inputJson, options?.Tags ?? [], new Dictionary<string, string>(), WorkflowId, id, Now));
            step.Events.Add(new NewHistoryEvent(HistoryEventKind.ChildWorkflowStarted, Now, id, name, childId, inputJson));
        }
        _open[id] = new OpenCommand(deferred, HistoryEventKind.ChildWorkflowStarted, typeof(TResult), name, name, childId);
        return deferred;
    }

    /// <summary>
    /// On replay, checks the command against the one history recorded under the same number and returns its task or
    /// child id (empty for timers); returns null for a new command. A mismatch is a divergence.
    /// </summary>
    private string? MatchRecorded(int id, HistoryEventKind kind, string name, string what)
    {
        if (_recorded.TryGetValue(id, out var recorded))
        {
            if (recorded.Kind != kind || !string.Equals(recorded.Name, name, StringComparison.Ordinal))
                Diverge($"at command {id} the history records {recorded.Kind} {recorded.Name}, but the code now {what}.");
            return recorded.RefId ?? "";
        }
        if (_step is null) Diverge($"the code {what} as command {id}, which the history does not record.");
        return null;
    }

    private string SerializeArguments(Type[] parameterTypes, object?[] arguments)
    {
        var builder = new StringBuilder("[");
        for (var i = 0; i < arguments.Length; i++)
        {
            if (i > 0) builder.Append(',');
            builder.Append(_services.Codec.Serialize(arguments[i], parameterTypes[i]));
        }
        return builder.Append(']').ToString();
    }

    private static Type InputTypeOf(Type workflowType)
    {
        for (var t = workflowType; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Workflow<,>)) return t.GetGenericArguments()[0];
        throw new ArgumentException($"{workflowType.Name} does not derive from Workflow<TInput, TResult>.");
    }
}
