using System.Globalization;

namespace Baton.Bench;

/// <summary>
/// Command line: <c>&lt;scenario&gt; [--store sqlite|postgres] [--completion inproc|http] [--n N] [--c C] [--runs R] [--dir D]
/// [--warmup W] [--duration S] [--connections K] [--rates 500,1000,...] [--settle true|false] [--endpoint complete|echo|durable-echo] [--client raw|httpclient] [--pg-writers W] [--synthetic-from K] [--alloc-types T] [--gc-phases true|false]</c>. <c>serve</c> (with <c>--db</c>) is the server child
/// process that <c>completion-load</c> and <c>open-tasks</c> start themselves.
/// </summary>
internal sealed record BenchOptions(string Scenario, string Store, string Completion, int? N, int C, int Runs, int? Warmup, string Directory, string[] RawArgs)
{
    /// <summary>Seconds per offered load of completion-load.</summary>
    public int Duration { get; init; } = 5;

    /// <summary>HTTP connections of the load generator / the HTTP completer.</summary>
    public int Connections { get; init; } = 256;

    /// <summary>Offered loads (requests/s) of completion-load, in order.</summary>
    public IReadOnlyList<int> Rates { get; init; } = [100, 200, 500, 1000, 2000, 4000, 8000];

    /// <summary>completion-load: a full GC in the server child after each load's set-up, before its window.</summary>
    public bool Settle { get; init; } = true;

    /// <summary>open-tasks on SQLite: create this many tasks through the server, then copy their rows up to N (see OpenTasks).</summary>
    public int? SyntheticFrom { get; init; }

    /// <summary>PostgreSQL store: writer connections (<c>PostgreSqlStoreOptions.WriterConnections</c>); null keeps the store's default.</summary>
    public int? PgWriters { get; init; }

    /// <summary>drt, completion-load: print the T most allocated types of the measured phase or window (allocation-tick samples; of the server child for completion-load); 0 = off.</summary>
    public int AllocTypes { get; init; }

    /// <summary>completion-load: print each collection of the server child's window with where its pause went (see <see cref="Baton.Bench.GcPhases"/>).</summary>
    public bool GcPhases { get; init; }

    /// <summary>
    /// completion-load: what the load is posted to: <c>complete</c> (the completion endpoint), or one of the bench's
    /// <see cref="FloorEndpoints"/> (<c>echo</c>, <c>durable-echo</c>) to measure the floor under it.
    /// </summary>
    public string Endpoint { get; init; } = "complete";

    /// <summary>
    /// completion-load: the load generator's HTTP client: <c>httpclient</c> (<see cref="CompletionClient"/>, the default, as
    /// in pushes 4–21) or <c>raw</c> (<see cref="RawLoadClient"/>, since push 22).
    /// </summary>
    public string Client { get; init; } = "httpclient";

    /// <summary>serve: the store's file path (sqlite) or connection string (postgres).</summary>
    public string? Db { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-')) throw new UsageException("a scenario is required: drt | completion-load | open-tasks | timer-storm | long-history");
        string scenario = args[0], store = "sqlite", completion = "inproc", dir = Path.Combine(Path.GetTempPath(), "baton-bench");
        int? n = null, warmup = null;
        int c = 1000, runs = 1, duration = 5, connections = 256;
        string? db = null;
        int? pgWriters = null, syntheticFrom = null;
        var allocTypes = 0;
        var settle = true;
        var gcPhases = false;
        var endpoint = "complete";
        var client = "httpclient";
        IReadOnlyList<int>? rates = null;
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new UsageException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--store": store = value; break;
                case "--completion": completion = value; break;
                case "--n": n = Int(value); break;
                case "--c": c = Int(value); break;
                case "--runs": runs = Int(value); break;
                case "--warmup": warmup = Int(value); break;
                case "--dir": dir = value; break;
                case "--duration": duration = Int(value); break;
                case "--connections": connections = Int(value); break;
                case "--rates": rates = [.. value.Split(',').Select(Int)]; break;
                case "--db": db = value; break;
                case "--endpoint": endpoint = value; break;
                case "--client": client = value; break;
                case "--pg-writers": pgWriters = Int(value); break;
                case "--synthetic-from": syntheticFrom = Int(value); break;
                case "--alloc-types": allocTypes = Int(value); break;
                case "--settle": settle = Bool(args[i], value); break;
                case "--gc-phases": gcPhases = Bool(args[i], value); break;
                default: throw new UsageException($"unknown option {args[i]}");
            }
            i++;
        }
        if (store is not ("sqlite" or "postgres")) throw new UsageException($"unknown store '{store}' (sqlite | postgres)");
        if (completion is not ("inproc" or "http")) throw new UsageException($"unknown completion '{completion}' (inproc | http)");
        if (scenario is not ("drt" or "timer-storm" or "long-history" or "open-tasks" or "completion-load" or "serve")) throw new UsageException($"unknown scenario '{scenario}'");
        if (scenario is "timer-storm" or "long-history" && store != "sqlite") throw new UsageException($"{scenario} runs on --store sqlite only");
        if (endpoint is not ("complete" or "echo" or "durable-echo")) throw new UsageException($"unknown endpoint '{endpoint}' (complete | echo | durable-echo)");
        if (endpoint != "complete" && scenario is not ("completion-load" or "serve")) throw new UsageException("--endpoint is for completion-load");
        if (gcPhases && scenario is not ("completion-load" or "serve")) throw new UsageException("--gc-phases is for completion-load");
        if (client is not ("raw" or "httpclient")) throw new UsageException($"unknown client '{client}' (raw | httpclient)");
        if (client != "httpclient" && scenario != "completion-load") throw new UsageException("--client is for completion-load");
        if (scenario == "serve" && db is null) throw new UsageException("serve needs --db");
        if (syntheticFrom is not null && (scenario != "open-tasks" || store != "sqlite")) throw new UsageException("--synthetic-from is for open-tasks on sqlite");
        if (allocTypes < 0 || (allocTypes != 0 && scenario is not ("drt" or "completion-load" or "serve"))) throw new UsageException("--alloc-types takes a count of types, for drt or completion-load");
        if (c < 1 || runs < 1 || n < 1 || duration < 1 || connections < 1 || rates is { Count: 0 } || rates?.Any(r => r < 1) == true)
            throw new UsageException("--n, --c, --runs, --duration, --connections and --rates must be positive");
        return new BenchOptions(scenario, store, completion, n, c, runs, warmup, dir, args)
        {
            Duration = duration,
            Connections = connections,
            Rates = rates ?? [100, 200, 500, 1000, 2000, 4000, 8000],
            Db = db,
            PgWriters = pgWriters,
            AllocTypes = allocTypes,
            SyntheticFrom = syntheticFrom,
            Settle = settle,
            Endpoint = endpoint,
            Client = client,
            GcPhases = gcPhases,
        };
    }

    private static bool Bool(string option, string value) =>
        value is "true" ? true : value is "false" ? false : throw new UsageException($"{option} takes true or false, not '{value}'");

    private static int Int(string text) =>
        int.TryParse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var v) ? v : throw new UsageException($"'{text}' is not a number");

    /// <summary>A fresh database file for one run.</summary>
    public string NewDatabase(string name)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, $"{name}-{Environment.ProcessId}-{DateTime.UtcNow:HHmmssfff}.db");
        return path;
    }

    public static void DeleteDatabase(string path)
    {
        if (Environment.GetEnvironmentVariable("BATON_BENCH_KEEP") == "1") return;
        foreach (var suffix in new[] { "", "-wal", "-shm", ".lock", ".floor" })
            File.Delete(path + suffix);
    }
}

internal sealed class UsageException(string message) : Exception(message);
