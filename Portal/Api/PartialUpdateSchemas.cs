using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Portal.Api;

/// <summary>
/// A client upsert is a partial update: a field left out keeps its stored value and null clears it.
/// The record that documents the shape made every field required and nullable, so a generated
/// client sent all 22 of them, nulls included, and wiped what it did not mean to touch (issue 20,
/// item 17). In the document only <c>externalId</c> is required and no field is nullable, so
/// generators leave unset fields out; clearing with null stays possible and is described.
/// </summary>
internal static class PartialUpdateSchemas
{
    private static readonly Dictionary<Type, string[]> Required = new()
    {
        [typeof(ClientUpsertItem)] = ["externalId"],
    };

    public static Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        if (!Required.TryGetValue(context.JsonTypeInfo.Type, out var required))
        {
            return Task.CompletedTask;
        }
        schema.Required = new HashSet<string>(required);
        foreach (var property in (schema.Properties ?? new Dictionary<string, IOpenApiSchema>()).Values.OfType<OpenApiSchema>())
        {
            if (property.Type is { } type)
            {
                property.Type = type & ~JsonSchemaType.Null;
            }
        }
        schema.Description = "Fields left out keep their stored value; send null explicitly to clear one (only externalId is required).";
        return Task.CompletedTask;
    }
}
