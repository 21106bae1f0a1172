namespace Baton.Storage.Relational;

/// <summary>One queued write: run by the writer inside a savepoint; its caller is answered only after the batch commits.</summary>
internal abstract class WriteOp(CancellationToken cancellationToken)
{
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>When it was queued, while the writer's queue wait is measured (<see cref="WriterMetrics.Arrival"/>); else 0.</summary>
    public long ArrivedAt { get; } = WriterMetrics.Arrival();

    public Exception? Failure { get; set; }

    public abstract void Execute(WriteContext context);

    public abstract void Complete();

    public abstract void Cancel();
}

internal sealed class WriteOp<T>(Func<WriteContext, T> body, CancellationToken cancellationToken) : WriteOp(cancellationToken)
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;

    public Task<T> Task => _completion.Task;

    public override void Execute(WriteContext context) => _result = body(context);

    public override void Complete()
    {
        if (Failure is { } failure)
        {
            _completion.TrySetException(failure);
        }
        else
        {
            _completion.TrySetResult(_result!);
        }
    }

    public override void Cancel() => _completion.TrySetCanceled(CancellationToken);
}
