namespace Baton.Engine.Tests;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Complete_HundredConcurrentCallersSameAndDifferentResults_ExactlyOneOutcomeAndEveryCallerToldTheTruth()
    {
        await using var host = await TestHosts.StartAsync();
        var (workflowId, task) = await host.StartApprovalAsync();
        using var gate = new ManualResetEventSlim();

        var calls = Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            gate.Wait();
            var result = new ApprovalResult(true, $"caller {i % 4}");
            try
            {
                var answer = await host.Client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, result);
                return (Caller: i % 4, Answer: answer.AlreadyCompleted ? "repeat" : "applied", Recorded: (string?)null);
            }
            catch (TaskOutcomeConflictException conflict)
            {
                return (Caller: i % 4, Answer: "conflict", Recorded: conflict.Recorded.Result!.Value.GetProperty("comment").GetString());
            }
        })).ToList();
        gate.Set();
        var answers = await Task.WhenAll(calls);

        var applied = Assert.Single(answers, a => a.Answer == "applied");
        var winner = $"caller {applied.Caller}";
        Assert.All(answers.Where(a => a.Answer == "repeat"), a => Assert.Equal(applied.Caller, a.Caller));
        Assert.All(answers.Where(a => a.Answer == "conflict"), a =>
        {
            Assert.NotEqual(applied.Caller, a.Caller);
            Assert.Equal(winner, a.Recorded);
        });
        Assert.Equal(25, answers.Count(a => a.Caller == applied.Caller));
        Assert.Equal($"approved: {winner}", await host.Client.GetResultAsync<string>(workflowId, TimeSpan.FromSeconds(10)));
        var details = await host.Client.GetTaskAsync(task.TaskId);
        Assert.Single(details.Audit, a => a.Kind == "Completed");
        var history = await host.Client.GetWorkflowHistoryAsync(workflowId);
        Assert.Single(history, e => e.Kind == "TaskCompleted");
    }
}
