namespace Narratives.Core;

/// <summary>
/// What a change to stored data came to: the value, or the problems with the input, keyed by the field they belong to
/// so that a form can show each next to its field. Nothing is stored when there are errors.
/// </summary>
public sealed record Outcome<T>(T? Value, IReadOnlyDictionary<string, string> Errors)
{
    public bool Succeeded => Errors.Count == 0;

    public static Outcome<T> Ok(T value) => new(value, new Dictionary<string, string>());
    public static Outcome<T> Invalid(IReadOnlyDictionary<string, string> errors) => new(default, errors);
    public static Outcome<T> Invalid(string field, string message) => new(default, new Dictionary<string, string> { [field] = message });
}
