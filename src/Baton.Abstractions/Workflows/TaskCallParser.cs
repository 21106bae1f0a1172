using System.Linq.Expressions;
using System.Reflection;

namespace Baton;

/// <summary>
/// Reads a dispatch lambda such as <c>(IApprovalService s) =&gt; s.RequestApprovalAsync(id, "x")</c> into the method
/// and its argument values, without compiling code for the common argument shapes (constants and captured variables).
/// </summary>
internal static class TaskCallParser
{
    public static TaskCall Parse<TService>(LambdaExpression call)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!typeof(TService).IsInterface)
            throw new ArgumentException($"Dispatch needs a service interface; {typeof(TService).Name} is not an interface.", nameof(call));
        if (call.Body is not MethodCallExpression body || body.Object != call.Parameters[0])
            throw new ArgumentException("Dispatch takes a single call of a service method on the lambda's parameter, e.g. (IMyService s) => s.DoAsync(x).", nameof(call));
        var args = new object?[body.Arguments.Count];
        for (var i = 0; i < args.Length; i++) args[i] = Evaluate(body.Arguments[i]);
        return new TaskCall(typeof(TService), body.Method, args);
    }

    private static object? Evaluate(Expression expression)
    {
        switch (expression)
        {
            case ConstantExpression constant:
                return constant.Value;
            case MemberExpression { Member: FieldInfo field } member:
                var target = member.Expression is null ? null : Evaluate(member.Expression);
                return field.GetValue(target);
            case MemberExpression { Member: PropertyInfo property } member:
                var owner = member.Expression is null ? null : Evaluate(member.Expression);
                return property.GetValue(owner);
            case UnaryExpression { NodeType: ExpressionType.Convert } convert when !convert.Type.IsValueType || convert.Operand.Type == convert.Type:
                return Evaluate(convert.Operand);
            default:
                var lambda = Expression.Lambda<Func<object?>>(Expression.Convert(expression, typeof(object)));
                return lambda.Compile(preferInterpretation: true)();
        }
    }
}
