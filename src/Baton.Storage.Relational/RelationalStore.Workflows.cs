using System.Globalization;
using System.Text;
using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

// IWorkflowStore.
internal sealed partial class RelationalStore
{
    private static readonly string WorkflowColumnsOfW = "w." + Rows.WorkflowColumns.Replace(", ", ", w.", StringComparison.Ordinal);

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
        // With a tag the listing is driven by workflow_tags, whose key (tag, created_at, workflow_id) is in listing order: the
        // workflow's own columns are then w's, the order and the cursor g's (a tag row's created_at is its workflow's). An IN
        // list of every workflow of the tag was collected and sorted instead.
        var byTag = query.Tag is not null;
        var w = byTag ? "w." : string.Empty;
        var key = byTag ? "g." : string.Empty;
        var where = new StringBuilder(byTag ? "g.tag = @tag" : "1 = 1");
        var args = new List<(string, object?)>();
        if (query.State is { } state)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND {w}state = @state");
            args.Add(("@state", state.ToString()));
        }
        if (query.Name is { } name)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND {w}name = @name");
            args.Add(("@name", name));
        }
        if (query.Tag is { } tag)
        {
            args.Add(("@tag", tag));
        }
        if (query.After is { } after)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND ({key}created_at < @afterAt OR ({key}created_at = @afterAt AND {key}{(byTag ? "workflow_id" : "id")} < @afterId))");
            args.Add(("@afterAt", Rows.Ms(after.CreatedAt)));
            args.Add(("@afterId", after.Id));
        }
        args.Add(("@limit", Math.Max(0, query.Limit)));
        var text = byTag
            ? "SELECT " + WorkflowColumnsOfW + " FROM workflow_tags g JOIN workflows w ON w.id = g.workflow_id WHERE " + where +
              " ORDER BY g.created_at DESC, g.workflow_id DESC LIMIT @limit"
            : "SELECT " + Rows.WorkflowColumns + " FROM workflows WHERE " + where + " ORDER BY created_at DESC, id DESC LIMIT @limit";
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
                var canceled = Mutations.CancelTree(ctx, workflow, cancellation.Reason, cancellation.Source, cancellation.At, root: true);
                return new CancelWorkflowResult(CancelWorkflowStatus.Canceled, canceled);
            },
            cancellationToken);
    }
}
