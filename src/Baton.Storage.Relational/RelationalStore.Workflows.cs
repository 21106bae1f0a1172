using System.Text;
using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

// IWorkflowStore.
internal sealed partial class RelationalStore
{
    public Task<CreateWorkflowResult> CreateWorkflowAsync(NewWorkflow workflow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        return WriteAsync(ctx => Mutations.CreateWorkflow(ctx, workflow), cancellationToken);
    }

    public Task<WorkflowRecord?> GetWorkflowAsync(string workflowId, CancellationToken cancellationToken) =>
        _runner.ReadFirstAsync("SELECT " + Rows.WorkflowColumns + " FROM workflows WHERE id = @id", Rows.Workflow, [("@id", workflowId)], cancellationToken);

    public Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string workflowId, long afterSeq, CancellationToken cancellationToken) =>
        _runner.ReadListAsync(
            "SELECT " + Rows.HistoryColumns + " FROM history WHERE workflow_id = @id AND seq > @after ORDER BY seq",
            Rows.History, [("@id", workflowId), ("@after", afterSeq)], cancellationToken);

    public Task<IReadOnlyList<WorkflowRecord>> ListWorkflowsAsync(WorkflowListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new StringBuilder("1 = 1");
        var args = new List<(string, object?)>();
        if (query.State is { } state)
        {
            where.Append(" AND state = @state");
            args.Add(("@state", state.ToString()));
        }
        if (query.Name is { } name)
        {
            where.Append(" AND name = @name");
            args.Add(("@name", name));
        }
        if (query.Tag is { } tag)
        {
            where.Append(" AND id IN (SELECT workflow_id FROM workflow_tags WHERE tag = @tag)");
            args.Add(("@tag", tag));
        }
        if (query.After is { } after)
        {
            where.Append(" AND (created_at < @afterAt OR (created_at = @afterAt AND id < @afterId))");
            args.Add(("@afterAt", Rows.Ms(after.CreatedAt)));
            args.Add(("@afterId", after.Id));
        }
        args.Add(("@limit", Math.Max(0, query.Limit)));
        var text = "SELECT " + Rows.WorkflowColumns + " FROM workflows WHERE " + where + " ORDER BY created_at DESC, id DESC LIMIT @limit";
        return _runner.ReadListAsync(text, Rows.Workflow, [.. args], cancellationToken);
    }

    public Task<CancelWorkflowResult> CancelWorkflowAsync(WorkflowCancellation cancellation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cancellation);
        return WriteAsync(
            ctx =>
            {
                var workflow = Mutations.GetWorkflow(ctx, cancellation.WorkflowId);
                if (workflow is null)
                {
                    return new CancelWorkflowResult(CancelWorkflowStatus.NotFound, null);
                }
                if (workflow.State != WorkflowState.Running)
                {
                    return new CancelWorkflowResult(CancelWorkflowStatus.AlreadyFinished, workflow);
                }
                Mutations.CancelTree(ctx, workflow, cancellation.Reason, cancellation.Source, cancellation.At, root: true);
                return new CancelWorkflowResult(CancelWorkflowStatus.Canceled, Mutations.GetWorkflow(ctx, workflow.Id));
            },
            cancellationToken);
    }
}
