using System.Text.Json;

namespace Baton;

/// <summary>Progress of a delegated task, reported by the outside party; also counts as a heartbeat.</summary>
/// <param name="Percent">0 to 100, or null when unknown.</param>
/// <param name="Message">Short human-readable status, e.g. "2 of 5 files encoded".</param>
/// <param name="Details">Optional structured data.</param>
public sealed record ProgressReport(double? Percent = null, string? Message = null, JsonElement? Details = null);
