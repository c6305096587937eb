
namespace ClaimLedger.Web;

/// <summary>Collects what is wrong with a request, field by field, for one 400 that names them all.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new();

    public bool Any => _errors.Count > 0;

    public FieldErrors Add(string field, string reason)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(reason);
        return this;
    }

    /// <summary>A required piece of text: present, not blank, not longer than <paramref name="max"/> characters.</summary>
    public string Text(string? value, string field, int max)
    {
        if (value is null) { Add(field, "is required"); return ""; }
        if (string.IsNullOrWhiteSpace(value)) { Add(field, "must not be blank"); return ""; }
        return Limit(value, field, max);
    }

    /// <summary>Optional text: absent is fine, blank is not.</summary>
    public string? OptionalText(string? value, string field, int max)
    {
        if (value is null) return null;
        if (string.IsNullOrWhiteSpace(value)) { Add(field, "must not be blank when given"); return null; }
        return Limit(value, field, max);
    }

    public T Required<T>(T? value, string field) where T : struct
    {
        if (value is null) Add(field, "is required");
        return value ?? default;
    }

    private string Limit(string value, string field, int max)
    {
        if (value.Length > max) Add(field, $"must be at most {max} characters (got {value.Length})");
        if (value.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            Add(field, "must not contain control characters");
        return value;
    }

    public IResult ToResult() => Problems.Invalid(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
}
