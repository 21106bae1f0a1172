using System.Globalization;
using System.Text;
using Baton.Engine.Storage;

namespace Baton.Storage.Relational;

// ITaskStore: the statement behind ListTasksAsync.
internal sealed partial class RelationalStore
{
    /// <summary>
    /// The task listing's statement and arguments, in (<c>created_at</c>, <c>task_id</c>) order, so that each page reads about as
    /// many index entries as it returns:
    /// <list type="bullet">
    /// <item>A listing of one workflow's tasks is pinned to <c>ix_tasks_workflow</c>: with <c>open</c> or <c>state</c> also given,
    /// SQLite (without statistics) would rather walk <c>ix_tasks_open</c> or <c>ix_tasks_state</c>, whose order matches, through
    /// the tasks of every workflow.</item>
    /// <item>A listing by tag walks that tag's rows of <c>task_tags</c> in order and joins their tasks, rather than collecting
    /// every task of the tag into an <c>IN</c> list and sorting the matches.</item>
    /// <item>Otherwise one index in listing order answers, as both engines choose by themselves: <c>ix_tasks_created</c> or
    /// <c>ix_tasks_service</c> (every task, or every task of one service), <c>ix_tasks_open</c> or <c>ix_tasks_service_open</c>
    /// (open tasks only, and they hold nothing else), <c>ix_tasks_state</c>.</item>
    /// </list>
    /// </summary>
    internal static (string Sql, (string Name, object? Value)[] Args) ListTasksSql(TaskListQuery query)
    {
        // With a tag (and no workflow) the listing is driven by task_tags, whose key (tag, created_at, task_id) is in listing
        // order: the task's own columns are then t's, the order and the cursor g's (a tag row's created_at is its task's).
        var byTag = query.Tag is not null && query.WorkflowId is null;
        var t = byTag ? "t." : string.Empty;
        var key = byTag ? "g." : string.Empty;
        var filters = new StringBuilder();
        var args = new List<(string, object?)>();
        if (query.State is { } state)
        {
            filters.Append(CultureInfo.InvariantCulture, $" AND {t}state = @state");
            args.Add(("@state", state.ToString()));
        }
        else if (query.OpenOnly)
        {
            filters.Append(CultureInfo.InvariantCulture, $" AND {t}open = {{true}}");
        }
        if (query.ServiceName is { } service)
        {
            filters.Append(CultureInfo.InvariantCulture, $" AND {t}service_name = @service");
            args.Add(("@service", service));
        }
        if (query.WorkflowId is { } workflowId)
        {
            filters.Append(" AND workflow_id = @wf");
            args.Add(("@wf", workflowId));
        }
        if (query.Tag is { } tag)
        {
            if (!byTag)
            {
                // One workflow's tasks are few: each is looked up in the tag's key instead of collecting every task of the tag.
                filters.Append(" AND EXISTS (SELECT 1 FROM task_tags g WHERE g.tag = @tag AND g.created_at = tasks.created_at AND g.task_id = tasks.task_id)");
            }
            args.Add(("@tag", tag));
        }
        if (query.CreatedBefore is { } before)
        {
            filters.Append(CultureInfo.InvariantCulture, $" AND {key}created_at < @before");
            args.Add(("@before", Rows.Ms(before)));
        }
        var cmp = query.NewestFirst ? "<" : ">";
        if (query.After is { } after)
        {
            filters.Append(CultureInfo.InvariantCulture, $" AND ({key}created_at {cmp} @afterAt OR ({key}created_at = @afterAt AND {key}task_id {cmp} @afterId))");
            args.Add(("@afterAt", Rows.Ms(after.CreatedAt)));
            args.Add(("@afterId", after.TaskId));
        }
        args.Add(("@limit", Math.Max(0, query.Limit)));
        var order = " ORDER BY " + (query.NewestFirst ? $"{key}created_at DESC, {key}task_id DESC" : $"{key}created_at, {key}task_id") + " LIMIT @limit";
        const string Select = "SELECT " + Rows.TaskColumns + " FROM ";
        if (byTag)
        {
            return ("SELECT " + Rows.TaskColumnsOfT + " FROM task_tags g JOIN tasks t ON t.task_id = g.task_id WHERE g.tag = @tag" + filters + order, [.. args]);
        }
        if (query.WorkflowId is not null)
        {
            return (Select + "tasks {indexed by ix_tasks_workflow} WHERE 1 = 1" + filters + order, [.. args]);
        }
        return (Select + "tasks WHERE 1 = 1" + filters + order, [.. args]);
    }
}
