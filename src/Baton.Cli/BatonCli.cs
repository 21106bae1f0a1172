using System.CommandLine;
using System.Text.Json;
using Baton.Client;

namespace Baton.Cli;

/// <summary>
/// The <c>baton</c> command. Every command talks to a server (<c>--server</c> or <c>BATON_SERVER</c>, default
/// <c>http://127.0.0.1:5080</c>) with an API key (<c>--api-key</c> or <c>BATON_API_KEY</c>); <c>--json</c> prints the
/// server's JSON. Errors print one line and exit non-zero (1: the server refused, 2: it could not be reached or the
/// input was unusable).
/// </summary>
public static partial class BatonCli
{
    private static readonly JsonSerializerOptions Indented = new(BatonJson.Options) { WriteIndented = true };

    /// <summary>Runs the command line and returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var server = new Option<string>("--server")
        {
            Description = "Server base URL (env BATON_SERVER)", Recursive = true,
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("BATON_SERVER") ?? "http://127.0.0.1:5080",
        };
        var apiKey = new Option<string?>("--api-key")
        {
            Description = "API key (env BATON_API_KEY)", Recursive = true,
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("BATON_API_KEY"),
        };
        var json = new Option<bool>("--json") { Description = "Print JSON", Recursive = true };
        var cli = new Cli(server, apiKey, json, output, error);
        var root = new RootCommand("Talk to a Baton server: workflows, tasks, user tasks and API keys.") { server, apiKey, json };
        root.Subcommands.Add(WorkflowCommands(cli));
        root.Subcommands.Add(TaskCommands(cli));
        root.Subcommands.Add(KeyCommands(cli));
        root.Subcommands.Add(InboxCommand(cli));
        root.Subcommands.Add(UserTaskCommands(cli));
        // "@file.json" is a JSON file argument here, not a response file.
        var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parsed.Errors.Count > 0)
        {
            await error.WriteLineAsync($"error: {parsed.Errors[0].Message}").ConfigureAwait(false);
            return 2;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }).ConfigureAwait(false);
    }

    /// <summary>What every command needs: the client options and the writers.</summary>
    private sealed class Cli(Option<string> server, Option<string?> apiKey, Option<bool> json, TextWriter output, TextWriter error)
    {
        public TextWriter Output => output;

        /// <summary>Runs one command body with the client, mapping errors to one line and an exit code.</summary>
        public async Task<int> RunAsync(ParseResult parse, Func<BatonHttpClient, Task<object?>> body, Func<object, string>? human = null)
        {
            try
            {
                if (!Uri.TryCreate(parse.GetValue(server), UriKind.Absolute, out var url))
                    throw new CliException($"--server '{parse.GetValue(server)}' is not an absolute URL.");
                using var client = new BatonHttpClient(new BatonHttpClientOptions { BaseAddress = url, ApiKey = parse.GetValue(apiKey) });
                var result = await body(client).ConfigureAwait(false);
                if (result is not null)
                {
                    await output.WriteLineAsync(parse.GetValue(json) || human is null ? JsonSerializer.Serialize(result, result.GetType(), Indented) : human(result))
                        .ConfigureAwait(false);
                }
                return result is ExitCode code ? code.Value : 0;
            }
            catch (BatonException e)
            {
                await error.WriteLineAsync($"error: {e.ErrorCode}: {OneLine(e.Message)}").ConfigureAwait(false);
                return 1;
            }
            catch (HttpRequestException e)
            {
                await error.WriteLineAsync($"error: cannot reach {parse.GetValue(server)}: {OneLine(e.Message)}").ConfigureAwait(false);
                return 2;
            }
            catch (CliException e)
            {
                await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return 2;
            }
        }

        private static string OneLine(string text) => text.ReplaceLineEndings(" ");
    }

    /// <summary>A command's exit code when it is not 0 (printed nothing).</summary>
    private sealed record ExitCode(int Value);

    private sealed class CliException(string message) : Exception(message);

    /// <summary>Reads a JSON argument: literal JSON, or <c>@file.json</c>.</summary>
    private static JsonElement ParseJson(string text, string what)
    {
        var source = text;
        if (text.StartsWith('@'))
        {
            try
            {
                source = File.ReadAllText(text[1..]);
            }
            catch (IOException e)
            {
                throw new CliException($"cannot read {what} file '{text[1..]}': {e.Message}");
            }
            catch (UnauthorizedAccessException e)
            {
                throw new CliException($"cannot read {what} file '{text[1..]}': {e.Message}");
            }
        }
        try
        {
            using var document = JsonDocument.Parse(source);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new CliException($"{what} is not valid JSON: {e.Message}");
        }
    }

    private static TimeSpan ParseDuration(string text)
    {
        text = text.Trim();
        (string number, double unit) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1),
            _ when text.EndsWith('m') => (text[..^1], 60),
            _ when text.EndsWith('h') => (text[..^1], 3600),
            _ => (text, 1),
        };
        return double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 0 && value < 1e7
            ? TimeSpan.FromSeconds(value * unit)
            : throw new CliException($"'{text}' is not a duration such as 30s, 5m or 1h.");
    }
}
