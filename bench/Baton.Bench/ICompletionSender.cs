using System.Net;

namespace Baton.Bench;

/// <summary>What posts the completions of <c>completion-load</c>: <see cref="RawLoadClient"/> or <see cref="CompletionClient"/>.</summary>
internal interface ICompletionSender : IDisposable
{
    /// <summary>Completes a DRT task with <c>{"result":{"approved":true,"n":n}}</c>; returns the status code.</summary>
    Task<HttpStatusCode> CompleteAsync(string service, string taskId, int n);
}
