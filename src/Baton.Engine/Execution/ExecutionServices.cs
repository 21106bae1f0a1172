using Baton.Engine.Registry;
using Baton.Engine.Serialization;

namespace Baton.Engine.Execution;

/// <summary>What workflow instances need from the engine: built once per engine.</summary>
internal sealed record ExecutionServices(PayloadCodec Codec, PayloadValidator Validator, ServiceRegistry Services, WorkflowRegistry Workflows, Func<DateTimeOffset, string> NewTaskId);
