using System.CommandLine;
using Baton.Client;

namespace Baton.Cli;

public static partial class BatonCli
{
    private static Command WorkflowCommands(Cli cli)
    {
        var workflows = new Command("workflows", "Start, list, show and wait for workflows");

        var name = new Argument<string>("workflow") { Description = "Workflow type, e.g. HttpCall or Delegate" };
        var input = new Option<string?>("--input") { Description = "Input as JSON or @file.json" };
        var id = new Option<string?>("--id") { Description = "Instance id (idempotent start)" };
        var tags = new Option<string[]>("--tag") { Description = "Tag (repeatable)", AllowMultipleArgumentsPerToken = false };
        var start = new Command("start", "Start a workflow") { name, input, id, tags };
        start.SetAction((parse, ct) => cli.RunAsync(parse, async client => await client.StartWorkflowAsync(new StartWorkflowRequest
        {
            Workflow = parse.GetValue(name)!,
            Input = parse.GetValue(input) is { } text ? ParseJson(text, "--input") : null,
            Id = parse.GetValue(id),
            Tags = parse.GetValue(tags) is { Length: > 0 } t ? t : null,
        }, ct), r => $"{((WorkflowStartResult)r).WorkflowId}{(((WorkflowStartResult)r).AlreadyExisted ? " (already existed)" : "")}"));

        var state = new Option<string?>("--state") { Description = "Running, Completed, Failed or Canceled" };
        var type = new Option<string?>("--workflow") { Description = "Only this workflow type" };
        var limit = new Option<int>("--limit") { Description = "Page size", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "List workflows, newest first") { state, type, limit };
        list.SetAction((parse, ct) => cli.RunAsync(parse, async client => await client.ListWorkflowsAsync(new WorkflowQuery
        {
            State = parse.GetValue(state) is { } s ? ParseEnum<WorkflowState>(s, "--state") : null,
            Workflow = parse.GetValue(type),
            Limit = parse.GetValue(limit),
        }, ct), r => string.Join(Environment.NewLine, ((WorkflowPage)r).Items.Select(w => $"{w.Id}  {w.Workflow}  {w.State}  {w.CreatedAt:u}"))));

        var workflowId = new Argument<string>("id") { Description = "Workflow id" };
        var show = new Command("show", "Show a workflow with its open tasks") { workflowId };
        show.SetAction((parse, ct) => cli.RunAsync(parse, async client => await client.GetWorkflowAsync(parse.GetValue(workflowId)!, ct), Describe));

        var timeout = new Option<string>("--timeout") { Description = "How long to wait, e.g. 30s, 5m", DefaultValueFactory = _ => "60s" };
        var wait = new Command("wait", "Wait for a workflow to finish; exit 0 when completed, 1 when failed, canceled or still running") { workflowId, timeout };
        wait.SetAction((parse, ct) => cli.RunAsync(parse, async client =>
        {
            var info = await WaitWithProgressAsync(client, parse.GetValue(workflowId)!, ParseDuration(parse.GetValue(timeout)!),
                parse.GetValue<bool>("--json") ? null : cli.Output, ct);
            await cli.Output.WriteLineAsync(parse.GetValue<bool>("--json") ? System.Text.Json.JsonSerializer.Serialize(info, Indented) : Describe(info));
            return info.State == WorkflowState.Completed ? null : new ExitCode(1);
        }));

        workflows.Subcommands.Add(start);
        workflows.Subcommands.Add(list);
        workflows.Subcommands.Add(show);
        workflows.Subcommands.Add(wait);
        return workflows;
    }

    private static Command TaskCommands(Cli cli)
    {
        var tasks = new Command("tasks", "List, show and act on tasks");
        var taskId = new Argument<string>("taskId") { Description = "Task id" };
        var service = new Option<string?>("--service") { Description = "Service name (looked up from the task when absent)" };

        var status = new Option<string?>("--status") { Description = "Scheduled, Running, Delegated, Completed, Failed, TimedOut, Canceled or open" };
        var byService = new Option<string?>("--service") { Description = "Only this service" };
        var limit = new Option<int>("--limit") { Description = "Page size", DefaultValueFactory = _ => 50 };
        var newest = new Option<bool>("--newest") { Description = "Newest first (default oldest first)" };
        var list = new Command("list", "List tasks") { status, byService, limit, newest };
        list.SetAction((parse, ct) => cli.RunAsync(parse, async client =>
        {
            var s = parse.GetValue(status);
            var open = s is not null && s.Equals("open", StringComparison.OrdinalIgnoreCase);
            return await client.ListTasksAsync(new TaskQuery
            {
                State = s is null || open ? null : ParseEnum<TaskState>(s, "--status"),
                OpenOnly = open,
                ServiceName = parse.GetValue(byService),
                Limit = parse.GetValue(limit),
                Order = parse.GetValue(newest) ? TaskOrder.NewestFirst : TaskOrder.OldestFirst,
            }, ct);
        }, r => string.Join(Environment.NewLine, ((TaskPage)r).Items.Select(t => $"{t.TaskId}  {t.ServiceName}.{t.MethodName}  {t.State}  {t.WorkflowId}"))));

        var show = new Command("show", "Show a task with its audit trail") { taskId };
        show.SetAction((parse, ct) => cli.RunAsync(parse, async client => await client.GetTaskAsync(parse.GetValue(taskId)!, ct), r =>
        {
            var t = (TaskDetails)r;
            return $"{t.TaskId}  {t.ServiceName}.{t.MethodName}  {t.State}  workflow {t.WorkflowId}" + Environment.NewLine
                + string.Join(Environment.NewLine, t.Audit.Select(a => $"  {a.At:u}  {a.Kind}  by {a.Actor} via {a.Via}{(a.Detail is null ? "" : "  " + a.Detail)}"));
        }));

        var result = new Option<string>("--result") { Description = "Result as JSON or @file.json", Required = true };
        var complete = new Command("complete", "Complete a delegated task") { taskId, result, service };
        complete.SetAction((parse, ct) => cli.RunAsync(parse, async client =>
        {
            var value = ParseJson(parse.GetValue(result)!, "--result");
            var id = parse.GetValue(taskId)!;
            return await client.CompleteDelegatedTaskAsync(await ServiceOfAsync(client, parse.GetValue(service), id, ct), id, value, ct);
        }, Answer));

        var errorType = new Option<string>("--type") { Description = "Error type", DefaultValueFactory = _ => "Error" };
        var message = new Option<string>("--message") { Description = "Error message", Required = true };
        var details = new Option<string?>("--details") { Description = "Details as JSON or @file.json" };
        var fail = new Command("fail", "Fail a delegated task") { taskId, errorType, message, details, service };
        fail.SetAction((parse, ct) => cli.RunAsync(parse, async client =>
        {
            var error = new TaskError(parse.GetValue(errorType)!, parse.GetValue(message)!, parse.GetValue(details) is { } d ? ParseJson(d, "--details") : null);
            var id = parse.GetValue(taskId)!;
            return await client.FailDelegatedTaskAsync(await ServiceOfAsync(client, parse.GetValue(service), id, ct), id, error, ct);
        }, Answer));

        var percent = new Option<double?>("--percent") { Description = "Percent done" };
        var progressMessage = new Option<string?>("--message") { Description = "Progress message" };
        var progress = new Command("progress", "Report progress on a task") { taskId, percent, progressMessage, service };
        progress.SetAction((parse, ct) => cli.RunAsync(parse, async client =>
        {
            var id = parse.GetValue(taskId)!;
            return await client.ReportProgressAsync(await ServiceOfAsync(client, parse.GetValue(service), id, ct), id,
                new ProgressReport(parse.GetValue(percent), parse.GetValue(progressMessage)), ct);
        }, r => $"{((TaskInfo)r).TaskId}  {((TaskInfo)r).State}"));

        var timeout = new Command("timeout", "Time a task out now") { taskId };
        timeout.SetAction((parse, ct) => cli.RunAsync(parse, async client => await client.TimeoutTaskAsync(parse.GetValue(taskId)!, ct), Answer));

        var retry = new Command("retry", "Re-run the handler of an open delegated task") { taskId, service };
        retry.SetAction((parse, ct) => cli.RunAsync(parse, async client =>
        {
            var id = parse.GetValue(taskId)!;
            return await client.RetryTaskAsync(await ServiceOfAsync(client, parse.GetValue(service), id, ct), id, ct);
        }, r => $"{((TaskInfo)r).TaskId}  {((TaskInfo)r).State}"));

        foreach (var command in new[] { list, show, complete, fail, progress, timeout, retry }) tasks.Subcommands.Add(command);
        return tasks;
    }

    private static Command KeyCommands(Cli cli)
    {
        var keys = new Command("keys", "Create, list and revoke API keys (admin)");
        var name = new Argument<string>("name") { Description = "Principal name" };
        var roles = new Option<string[]>("--role") { Description = "Role: admin, operator, completer, starter, viewer (repeatable)", Required = true };
        var create = new Command("create", "Create a key; its secret is printed once") { name, roles };
        create.SetAction((parse, ct) => cli.RunAsync(parse, async client => await client.CreateApiKeyAsync(parse.GetValue(name)!, parse.GetValue(roles)!, ct),
            r => $"{((CreatedApiKey)r).Key}{Environment.NewLine}(id {((CreatedApiKey)r).Info.Id}; the key is shown only this once)"));
        var list = new Command("list", "List keys");
        list.SetAction((parse, ct) => cli.RunAsync(parse, async client => await client.ListApiKeysAsync(ct),
            r => string.Join(Environment.NewLine, ((IReadOnlyList<ApiKey>)r).Select(k => $"{k.Id}  {k.Name}  {string.Join(',', k.Roles)}{(k.RevokedAt is null ? "" : "  revoked")}"))));
        var id = new Argument<string>("id") { Description = "Key id" };
        var revoke = new Command("revoke", "Revoke a key") { id };
        revoke.SetAction((parse, ct) => cli.RunAsync(parse, async client => await client.RevokeApiKeyAsync(parse.GetValue(id)!, ct), r => $"{((ApiKey)r).Id} revoked"));
        keys.Subcommands.Add(create);
        keys.Subcommands.Add(list);
        keys.Subcommands.Add(revoke);
        return keys;
    }

    private static async Task<string> ServiceOfAsync(BatonHttpClient client, string? service, string taskId, CancellationToken ct) =>
        service ?? (await client.GetTaskAsync(taskId, ct)).ServiceName;

    private static string Answer(object r)
    {
        var a = (CompletionResult)r;
        return $"{a.TaskId}  {a.State}{(a.AlreadyCompleted ? " (already)" : "")}";
    }

    private static string Describe(object r)
    {
        var w = (WorkflowInfo)r;
        var lines = new List<string> { $"{w.Id}  {w.Workflow}  {w.State}" };
        if (w.Result is { } result) lines.Add("result: " + result.GetRawText());
        if (w.Error is { } error) lines.Add($"error: {error.Type}: {error.Message}");
        lines.AddRange(w.OpenTasks.Select(t => $"  task {t.TaskId}  {t.ServiceName}.{t.MethodName}  {t.State}"));
        return string.Join(Environment.NewLine, lines);
    }

    private static TEnum ParseEnum<TEnum>(string text, string what) where TEnum : struct, Enum =>
        Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !char.IsDigit(text[0])
            ? value
            : throw new CliException($"{what} must be one of {string.Join(", ", Enum.GetNames<TEnum>())}.");

    /// <summary>
    /// Waits in one-second long polls, printing each open task's progress (percent and message from its progress
    /// timeline) whenever it changes, so a long delegated task shows life while the command waits.
    /// </summary>
    private static async Task<WorkflowInfo> WaitWithProgressAsync(IBatonClient client, string workflowId, TimeSpan timeout, TextWriter? progressOut, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        var shown = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            var left = deadline - DateTimeOffset.UtcNow;
            var info = await client.WaitForWorkflowAsync(workflowId, left <= TimeSpan.Zero ? TimeSpan.Zero : left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), ct);
            if (progressOut is not null)
            {
                foreach (var task in info.OpenTasks)
                {
                    if (task.Progress is not { } progress) continue;
                    var line = $"  {task.ServiceName}/{task.TaskId}: {(progress.Percent is { } p ? $"{p:0.#}%" : "...")} {progress.Message}".TrimEnd();
                    if (shown.TryGetValue(task.TaskId, out var previous) && previous == line) continue;
                    shown[task.TaskId] = line;
                    await progressOut.WriteLineAsync(line);
                }
            }
            if (info.State != WorkflowState.Running || left <= TimeSpan.Zero) return info;
        }
    }
}
