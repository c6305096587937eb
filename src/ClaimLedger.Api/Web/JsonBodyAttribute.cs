using JasperFx.CodeGeneration;
using Wolverine.Http;

namespace ClaimLedger.Web;

/// <summary>
/// Declares the JSON body an endpoint reads itself (through <see cref="RequestBody"/>), so OpenAPI documents it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class JsonBodyAttribute(Type bodyType) : ModifyHttpChainAttribute
{
    public Type BodyType { get; } = bodyType;


    public override void Modify(HttpChain chain, GenerationRules rules) =>
        chain.Metadata.Accepts(BodyType, "application/json");
}
