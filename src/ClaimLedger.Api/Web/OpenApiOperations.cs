using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.OpenApi;

namespace ClaimLedger.Web;

/// <summary>
/// Completes what Wolverine's endpoint metadata leaves out: the JSON bodies endpoints read themselves, summaries
/// from the endpoint's XML-free name, and the problem responses every route can give.
/// </summary>
public sealed class OpenApiOperations : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<JsonBodyAttribute>().FirstOrDefault() is { } body)
        {
            var schema = await context.GetOrCreateSchemaAsync(body.BodyType, null, ct);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        }
        if (metadata.OfType<IEndpointSummaryMetadata>().FirstOrDefault() is { } summary)
        {
            operation.Summary = summary.Summary;
            operation.Description = metadata.OfType<IEndpointDescriptionMetadata>().FirstOrDefault()?.Description;
        }
        // Endpoints return IResult so that refusals are problems; the 200 "IResult" Wolverine infers is not a real answer.
        if (operation.Responses is { } responses)
        {
            if (responses.TryGetValue("200", out var ok) && ok.Content?.Values.Any(c => c.Schema is OpenApiSchemaReference { Reference.Id: "IResult" }) == true)
                responses.Remove("200");
            foreach (var (status, description) in new[] { ("400", "Bad request: the field and the reason"), ("401", "No valid API key"), ("403", "The key's role may not do this"), ("404", "Not found") })
                responses.TryAdd(status, new OpenApiResponse
                {
                    Description = description,
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() },
                });
        }
    }
}
