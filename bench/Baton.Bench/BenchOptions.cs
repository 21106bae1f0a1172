using System.Globalization;

namespace Baton.Bench;

/// <summary>Command line: <c>&lt;scenario&gt; [--store sqlite] [--completion inproc] [--n N] [--c C] [--runs R] [--dir D] [--warmup W]</c>.</summary>
internal sealed record BenchOptions(string Scenario, string Store, string Completion, int? N, int C, int Runs, int? Warmup, string Directory, string[] RawArgs)
{
    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-')) throw new UsageException("a scenario is required: drt | timer-storm | long-history | open-tasks");
        string scenario = args[0], store = "sqlite", completion = "inproc", dir = Path.Combine(Path.GetTempPath(), "baton-bench");
        int? n = null, warmup = null;
        int c = 1000, runs = 1;
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
                default: throw new UsageException($"unknown option {args[i]}");
            }
            i++;
        }
        if (store != "sqlite")
            throw new UsageException(store == "postgres" ? "--store postgres is not available yet (the PostgreSQL store does not exist yet); use --store sqlite" : $"unknown store '{store}'");
        if (completion != "inproc")
            throw new UsageException(completion == "http" ? "--completion http is not available yet (the REST API does not exist yet); use --completion inproc" : $"unknown completion '{completion}'");
        if (scenario is not ("drt" or "timer-storm" or "long-history" or "open-tasks")) throw new UsageException($"unknown scenario '{scenario}'");
        if (c < 1 || runs < 1 || n < 1) throw new UsageException("--n, --c and --runs must be positive");
        return new BenchOptions(scenario, store, completion, n, c, runs, warmup, dir, args);
    }

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
        foreach (var suffix in new[] { "", "-wal", "-shm", ".lock" })
            File.Delete(path + suffix);
    }
}

internal sealed class UsageException(string message) : Exception(message);
