namespace Baton;

/// <summary>Base of every error Baton reports to callers; <see cref="ErrorCode"/> is stable and machine-readable.</summary>
public class BatonException : Exception
{
    /// <summary>Creates an error with a code from <see cref="BatonErrorCodes"/>.</summary>
    public BatonException(string errorCode, string message, Exception? innerException = null)
        : base(message, innerException) => ErrorCode = errorCode;

    /// <summary>One of <see cref="BatonErrorCodes"/>.</summary>
    public string ErrorCode { get; }
}

/// <summary>A field-level problem in a payload: where (a JSON path such as <c>$.approved</c>) and what.</summary>
public sealed record FieldError(string Path, string Message);
