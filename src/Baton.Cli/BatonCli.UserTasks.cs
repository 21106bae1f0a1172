using System.CommandLine;
using Baton.Client;

namespace Baton.Cli;

public static partial class BatonCli
{
    /// <summary><c>baton inbox</c>: the API key's principal's open user tasks.</summary>
    private static Command InboxCommand(Cli cli)
    {
        var spec = new Option<string?>("--spec") { Description = "Only this kind of task" };
        var action = new Option<string?>("--action") { Description = "Only this action" };
        var minPriority = new Option<int?>("--min-priority") { Description = "Only at least this priority" };
        var dueBefore = new Option<string?>("--due-before") { Description = "Only due before this ISO 8601 time" };
        var text = new Option<string?>("--text") { Description = "Only names containing this text" };
        var claimed = new Option<string?>("--claimed") { Description = "actionable (default), mine, unclaimed or any" };
        var all = new Option<bool>("--all") { Description = "Every open user task (operators and admins)" };
        var sort = new Option<string?>("--sort") { Description = "due (default), priority or age" };
        var limit = new Option<int>("--limit") { Description = "Page size", DefaultValueFactory = _ => 50 };
        var inbox = new Command("inbox", "List your open user tasks") { spec, action, minPriority, dueBefore, text, claimed, all, sort, limit };
        inbox.SetAction((parse, ct) => cli.RunAsync(parse, async client => await client.GetInboxAsync(new InboxQuery
        {
            Spec = parse.GetValue(spec),
            Action = parse.GetValue(action),
            MinPriority = parse.GetValue(minPriority),
            DueBefore = parse.GetValue(dueBefore) is { } due
                ? DateTimeOffset.TryParse(due, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
                    ? at : throw new CliException($"--due-before '{due}' is not an ISO 8601 date and time.")
                : null,
            Text = parse.GetValue(text),
            Claimed = parse.GetValue(claimed) is { } c ? ParseEnum<InboxClaimFilter>(c, "--claimed") : InboxClaimFilter.Actionable,
            All = parse.GetValue(all),
            Sort = parse.GetValue(sort) is { } s ? ParseEnum<InboxSort>(s, "--sort") : InboxSort.Due,
            Limit = parse.GetValue(limit),
        }, ct), r => DescribeInbox((UserTaskPage)r)));
        return inbox;
    }

    /// <summary><c>baton user-tasks show|claim|unclaim|assign|complete</c>.</summary>
    private static Command UserTaskCommands(Cli cli)
    {
        var userTasks = new Command("user-tasks", "Show, claim, release, reassign and complete user tasks");
        var taskId = new Argument<string>("taskId") { Description = "Task id" };

        var show = new Command("show", "Show a user task with the schema of its data") { taskId };
        show.SetAction((parse, ct) => cli.RunAsync(parse, async client => await client.GetUserTaskAsync(parse.GetValue(taskId)!, ct), r => DescribeUserTask((UserTaskInfo)r)));

        var claim = new Command("claim", "Claim a task: only you may complete it until you release it") { taskId };
        claim.SetAction((parse, ct) => cli.RunAsync(parse, async client => await client.ClaimUserTaskAsync(parse.GetValue(taskId)!, ct),
            r => $"{((UserTaskInfo)r).TaskId} claimed by {((UserTaskInfo)r).ClaimedBy}"));

        var unclaim = new Command("unclaim", "Release a claim") { taskId };
        unclaim.SetAction((parse, ct) => cli.RunAsync(parse, async client => await client.UnclaimUserTaskAsync(parse.GetValue(taskId)!, ct),
            r => $"{((UserTaskInfo)r).TaskId} released"));

        var user = new Option<string?>("--user") { Description = "The user to give it to" };
        var roles = new Option<string[]>("--role") { Description = "A role to give it to (repeatable)" };
        var assign = new Command("assign", "Reassign a task (operators and admins)") { taskId, user, roles };
        assign.SetAction((parse, ct) => cli.RunAsync(parse, async client =>
            await client.ReassignUserTaskAsync(parse.GetValue(taskId)!, new UserTaskAssignment(parse.GetValue(user), parse.GetValue(roles)), ct),
            r => DescribeUserTask((UserTaskInfo)r)));

        var data = new Argument<string>("data") { Description = "The data as JSON or @file.json" };
        var complete = new Command("complete", "Submit the task's data") { taskId, data };
        complete.SetAction((parse, ct) => cli.RunAsync(parse, async client =>
            await client.CompleteUserTaskAsync(parse.GetValue(taskId)!, ParseJson(parse.GetValue(data)!, "data"), ct),
            r => $"{((CompletionResult)r).TaskId} {((CompletionResult)r).State}{(((CompletionResult)r).AlreadyCompleted ? " (already)" : "")}"));

        userTasks.Subcommands.Add(show);
        userTasks.Subcommands.Add(claim);
        userTasks.Subcommands.Add(unclaim);
        userTasks.Subcommands.Add(assign);
        userTasks.Subcommands.Add(complete);
        return userTasks;
    }

    private static string DescribeInbox(UserTaskPage page)
    {
        if (page.Items.Count == 0) return "No open user tasks.";
        var lines = page.Items.Select(t =>
            $"{t.TaskId}  {t.Name}  [{t.Spec}/{t.Action}]  priority {t.Priority}" +
            (t.DueAt is { } due ? $"  due {due:u}" : "") +
            (t.ClaimedBy is { } by ? $"  claimed by {by}" : ""));
        return string.Join(Environment.NewLine, lines) + (page.NextCursor is null ? "" : $"{Environment.NewLine}(more: --json shows the cursor)");
    }

    private static string DescribeUserTask(UserTaskInfo t) =>
        $"{t.TaskId}  {t.Name}  {t.State}{Environment.NewLine}" +
        $"  spec {t.Spec}, action {t.Action}, user {t.User ?? "-"}, roles {(t.Roles.Count == 0 ? "-" : string.Join(",", t.Roles))}{Environment.NewLine}" +
        $"  claimed by {t.ClaimedBy ?? "nobody"}, priority {t.Priority}, due {(t.DueAt is { } d ? d.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "-")}, " +
        $"times out {(t.TimeoutAt is { } o ? o.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "never")}{Environment.NewLine}" +
        $"  input {(t.Input is { } i ? i.GetRawText() : "null")}";
}
