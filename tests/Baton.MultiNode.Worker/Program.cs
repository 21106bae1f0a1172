using Baton;
using Baton.Engine.Hosting;
using Baton.MultiNode.Worker;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

// One of several Baton nodes sharing a PostgreSQL database:
//   Baton.MultiNode.Worker <connection string> <node index> <node count> <workflow count>
// Every node starts every workflow (idempotent by id; each begins with its own share), runs workflows and task handlers,
// and delivers the gateway's webhooks for any node. It runs until killed; the test watches the database.
var connectionString = args[0];
var index = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var nodes = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
var count = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
var node = "node-" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

await using var dataSource = NpgsqlDataSource.Create(connectionString);
await using (var schema = dataSource.CreateCommand(Gateway.Schema))
{
    try
    {
        await schema.ExecuteNonQueryAsync();
    }
    catch (PostgresException e) when (e.SqlState is "23505" or "42710" or "42P07")
    {
        // Another node created the table at the same moment: IF NOT EXISTS does not guard concurrent creation, which
        // surfaces as a unique violation in the catalog, a duplicate row type or a duplicate table.
    }
}
var gateway = new Gateway(dataSource, node);
await using var engine = BatonEngine.Create(b =>
{
    b.Services.AddSingleton(gateway);
    b.UsePostgreSql(connectionString)
        .AddWorkflow<PaymentWorkflow>()
        .AddService<IPaymentGateway, PaymentGatewayService>()
        .Configure(o =>
        {
            o.NodeId = node;
            o.WorkflowLease = TimeSpan.FromSeconds(2);
            o.TaskLease = TimeSpan.FromSeconds(3);
            o.IdlePollInterval = TimeSpan.FromMilliseconds(250);
        });
});
await engine.StartAsync();
var client = engine.Client;
Console.WriteLine("STARTED");

var webhooks = Task.Run(async () =>
{
    while (true)
    {
        try
        {
            var sent = await gateway.DeliverAsync(async (taskId, i) =>
                await client.CompleteDelegatedTaskAsync("PaymentGateway", taskId, new PaymentResult(true, i)));
            if (sent == 0)
            {
                await Task.Delay(20);
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine("webhook delivery: " + e.Message);
            await Task.Delay(100);
        }
    }
});

for (var j = 0; j < count; j++)
{
    var i = (j + (index * count / nodes)) % count;
    // Starts are idempotent by id, so a start that fails while the database is unreachable is simply sent again.
    for (var attempt = 1; ; attempt++)
    {
        try
        {
            await client.StartWorkflowAsync<PaymentWorkflow>(i, $"payment-{i}");
            break;
        }
        catch (Exception e) when (attempt < 100 && e is not BatonException)
        {
            Console.Error.WriteLine($"start payment-{i}: {e.Message}");
            await Task.Delay(200);
        }
    }
}
Console.WriteLine("STARTS DONE");
await webhooks;
