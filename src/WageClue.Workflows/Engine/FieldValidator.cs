using System.Text.Json;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Validation;

namespace WageClue.Workflows.Engine;

/// <summary>Checks an action's fields against the definition: required, type, length, options. Unknown fields are errors.</summary>
internal static class FieldValidator
{
    public static (Dictionary<string, object?> Values, Dictionary<string, string[]> Errors) Validate(
        ActionDefinition action, IReadOnlyDictionary<string, JsonElement> input, WorkflowDefinition definition)
    {
        var values = new Dictionary<string, object?>();
        var errors = new Dictionary<string, string[]>();
        foreach (var name in input.Keys.Where(k => action.FieldList.All(f => f.Name != k)))
            errors[name] = [$"「{action.Name}」没有这个字段"];

        foreach (var field in action.FieldList)
        {
            var present = input.TryGetValue(field.Name, out var raw) && raw.ValueKind != JsonValueKind.Null
                && !(raw.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(raw.GetString()));
            if (!present)
            {
                if (field.Required) errors[field.Name] = [(IsChoice(field) ? "请选择" : "请填写") + field.Label];
                continue;
            }
            var (value, error) = Convert(field, raw, definition);
            if (error != null) errors[field.Name] = [error];
            else values[field.Name] = value;
        }
        return (values, errors);
    }

    private static (object? Value, string? Error) Convert(FieldDefinition field, JsonElement raw, WorkflowDefinition definition)
    {
        switch (field.Type)
        {
            case FieldTypes.Text:
                if (raw.ValueKind != JsonValueKind.String) return (null, $"{field.Label}须为文本");
                var (text, problem) = TextRules.Check(raw.GetString()!, field.Label, field.MaxLength ?? 0, field.Multiline ? TextKind.MultiLine : TextKind.SingleLine);
                return problem != null ? (null, problem) : (text, null);
            case FieldTypes.Enum:
                if (raw.ValueKind != JsonValueKind.String) return (null, $"{field.Label}须为文本");
                var option = raw.GetString();
                return field.Options!.Any(o => o.Value == option)
                    ? (option, null)
                    : (null, $"{field.Label}须为以下之一：{string.Join("、", field.Options!.Select(o => $"{o.Value}（{o.Label}）"))}");
            case FieldTypes.Money:
                if (raw.ValueKind != JsonValueKind.Number || !raw.TryGetDecimal(out var money)) return (null, $"{field.Label}须为数字");
                if (money < 0) return (null, $"{field.Label}不能为负数");
                if (decimal.Round(money, 2) != money) return (null, $"{field.Label}最多两位小数");
                return money > 999_999_999_999.99m ? (null, $"{field.Label}超出范围") : (money, null);
            case FieldTypes.Integer:
                if (raw.ValueKind != JsonValueKind.Number || !raw.TryGetInt64(out var number)) return (null, $"{field.Label}须为整数");
                if (field.Min is { } min && number < min) return (null, $"{field.Label}不能小于 {min}");
                return field.Max is { } max && number > max ? (null, $"{field.Label}不能大于 {max}") : (number, null);
            case FieldTypes.User:
            case FieldTypes.Clue:
                if (raw.ValueKind != JsonValueKind.Number || !raw.TryGetInt64(out var id) || id <= 0) return (null, $"{field.Label}须为有效编号");
                return (id, null);
            case FieldTypes.District:
                // Whether the district exists is the caller's to check (the engine knows no districts).
                return raw.ValueKind == JsonValueKind.String && raw.GetString()!.Trim() is { Length: > 0 and <= 40 } district
                    ? (district, null) : (null, $"请选择{field.Label}");
            case FieldTypes.Clock:
                if (raw.ValueKind != JsonValueKind.String) return (null, $"请选择{field.Label}");
                var clock = definition.FindClock(raw.GetString()!);
                return clock?.Extension != null ? (clock.Id, null) : (null, $"{field.Label}须为可以延期的时限");
            case FieldTypes.Date:
                // Kept as its text, yyyy-MM-dd: what a guard reads and the column stores.
                return raw.ValueKind == JsonValueKind.String && DateOnly.TryParseExact(raw.GetString()!.Trim(), "yyyy-MM-dd", out var date)
                    && date.Year is >= 2000 and <= 2100
                    ? (date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), null)
                    : (null, $"{field.Label}须为日期（如 2026-09-29）");
            case FieldTypes.Boolean:
                return raw.ValueKind is JsonValueKind.True or JsonValueKind.False ? (raw.GetBoolean(), null)
                    : raw.ValueKind == JsonValueKind.String && raw.GetString() is "true" or "false" ? (raw.GetString() == "true", null)
                    : (null, $"{field.Label}须为“是”或“否”");
            default:
                throw new InvalidOperationException($"Field type '{field.Type}' passed the schema but has no validator.");
        }
    }

    /// <summary>A field the form offers as a list (a dropdown or a yes/no): its missing value is asked for with 请选择.</summary>
    private static bool IsChoice(FieldDefinition field) =>
        field.Type is FieldTypes.Enum or FieldTypes.User or FieldTypes.District or FieldTypes.Clock or FieldTypes.Boolean;
}
