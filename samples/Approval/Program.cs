using Baton.Samples.Approval;

// Usage: dotnet run --project samples/Approval [-- <database file>]
var databasePath = args.Length > 0 ? args[0] : Path.Combine(Environment.CurrentDirectory, "approval-sample.db");
var (approved, timedOut) = await ApprovalDemo.RunAsync(databasePath, Console.Out, approverDelay: TimeSpan.FromSeconds(1), timeout: TimeSpan.FromSeconds(3));
Console.WriteLine();
Console.WriteLine($"Run 1 ended: {approved}");
Console.WriteLine($"Run 2 ended: {timedOut}");
