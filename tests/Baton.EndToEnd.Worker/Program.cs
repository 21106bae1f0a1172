using Baton;
using Baton.EndToEnd.Worker;
using Baton.Engine.Hosting;
using Microsoft.Extensions.DependencyInjection;

// A Baton node that runs N payment workflows to the end, restartable at any moment:
//   Baton.EndToEnd.Worker <directory> <N>
// Starts are idempotent by workflow id, the gateway re-sends undelivered webhooks, and the process prints DONE when
// every workflow has finished. The durability test kills it with SIGKILL at random moments and starts it again.
// The log is copied back every 64 pages (1,000 by default), so that kills also land while the background checkpointer
// copies it.
var directory = args[0];
var count = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
using var gateway = new GatewayQueue(Path.Combine(directory, "gateway.db"));
await using var engine = BatonEngine.Create(b =>
{
    b.Services.AddSingleton(gateway);
    b.UseSqlite($"Data Source={Path.Combine(directory, "baton.db")}", o => o.CheckpointPages = 64)
        .AddWorkflow<PaymentWorkflow>()
        .AddService<IPaymentGateway, PaymentGatewayService>()
        .Configure(o => o.IdlePollInterval = TimeSpan.FromMilliseconds(100));
});
await engine.StartAsync();
var client = engine.Client;
Console.WriteLine("STARTED");

var webhooks = Task.Run(async () =>
{
    var random = new Random();
    while (true)
    {
        foreach (var (taskId, i) in gateway.Undelivered())
        {
            await Task.Delay(random.Next(0, 8));
            await client.CompleteDelegatedTaskAsync("PaymentGateway", taskId, new PaymentResult(true, i));
            gateway.MarkDelivered(taskId); // a kill between these two lines makes the next run re-send: it must be told "already completed"
        }
        await Task.Delay(5);
    }
});

for (var i = 0; i < count; i++)
{
    await client.StartWorkflowAsync<PaymentWorkflow>(i, $"payment-{i}");
    if (i % 5 == 4) await Task.Delay(20); // a steady trickle, so kills land at every stage of the workflows
}

for (var i = 0; i < count; i++)
{
    var info = await client.WaitForWorkflowAsync($"payment-{i}", TimeSpan.FromMinutes(5));
    if (info.State != WorkflowState.Completed) throw new InvalidOperationException($"payment-{i} ended {info.State}");
}
Console.WriteLine("DONE");
