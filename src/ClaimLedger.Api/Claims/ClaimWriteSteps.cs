using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Marten;
using Wolverine.Http;
using Wolverine.Http.CodeGen;

namespace ClaimLedger.Claims;

/// <summary>
/// Fits a claim write (<see cref="ClaimRequest"/>) into Wolverine's aggregate workflow. Its <c>ReadAsync</c> (the request
/// read and checked, its text processed) and <c>GuardAsync</c> (the Idempotency-Key's lock and first response) run ahead
/// of the claim's exclusive load: Wolverine adds that load when it binds the <c>[WriteAggregate]</c> parameter, before the
/// endpoint's own Before/Load/Validate methods, so those would all run with the claim locked. Each stops the request with
/// the result it returns unless that is <see cref="WolverineContinue"/>. The workflow's save becomes
/// <see cref="ClaimRequest.CommitAsync"/>: no commit for a refusal, none cancelled by a client hanging up, and a commit
/// whose answer was lost resolved.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ClaimWriteStepsAttribute : ModifyHttpChainAttribute
{
    public override void Modify(HttpChain chain, GenerationRules rules)
    {
        var endpoint = chain.Method.HandlerType;
        var steps = new List<Frame>();
        foreach (var name in new[] { "ReadAsync", "GuardAsync" })
        {
            var step = new MethodCall(endpoint, endpoint.GetMethod(name) ??
                throw new InvalidOperationException($"{endpoint.Name} has no {name} method"));
            steps.Add(step);
            steps.Add(new MaybeEndWithResultFrame(step.Creates.Single(v => v.VariableType == typeof(IResult))));
        }
        chain.Middleware.InsertRange(0, steps);

        var save = chain.Postprocessors.FindIndex(f => f is MethodCall { Method.Name: nameof(IDocumentSession.SaveChangesAsync) });
        if (save < 0) throw new InvalidOperationException($"{endpoint.Name} is not in the aggregate workflow: it saves nothing");
        chain.Postprocessors[save] = new MethodCall(typeof(ClaimRequest), nameof(ClaimRequest.CommitAsync));
    }
}
