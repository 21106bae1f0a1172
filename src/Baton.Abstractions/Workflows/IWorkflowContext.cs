using System.Reflection;

namespace Baton;

/// <summary>The engine's side of a running workflow: every non-deterministic or durable operation goes through it.</summary>
internal interface IWorkflowContext
{
    string WorkflowId { get; }

    DateTimeOffset Now { get; }

    Random Random { get; }

    bool IsReplaying { get; }

    Guid NewGuid();

    Deferred<T> ScheduleTask<T>(TaskCall call, DispatchOptions? options);

    Deferred<UserTaskResult<TData>> ScheduleUserTask<TData>(UserTaskRequest request);

    Deferred<object?> StartTimer(DateTimeOffset dueAt, string description);

    Deferred<TResult> StartChild<TResult>(Type workflowType, object? input, ChildWorkflowOptions? options);

    void EnsureOnWorkflowThread(string operation);
}

/// <summary>A service method call captured from a dispatch lambda: which method, with which argument values.</summary>
internal sealed record TaskCall(Type ServiceType, MethodInfo Method, object?[] Arguments);
