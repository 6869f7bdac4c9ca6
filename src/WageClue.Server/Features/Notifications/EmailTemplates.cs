using Fluid;
using WageClue.Workflows.Validation;
using Microsoft.Extensions.Options;
using WageClue.Server.Features.Workflows;

namespace WageClue.Server.Features.Notifications;

public sealed record RenderedEmail(string Subject, string Body);

/// <summary>
/// The Liquid templates in workflows/email-templates ({name}.subject.liquid and {name}.body.liquid), which the bureau
/// edits without a code change. Parsed once at start-up, so a broken template stops the service with its error
/// instead of failing the first escalation. Fluid only exposes the values handed to it: a template cannot reach code.
/// </summary>
public sealed class EmailTemplates
{
    public const string Escalation = "escalation";
    public const string Digest = "digest";
    public const string Notice = "notice";

    private static readonly FluidParser Parser = new();
    private readonly Dictionary<string, (IFluidTemplate Subject, IFluidTemplate Body)> _templates = new();
    private readonly TemplateOptions _options = new();

    public EmailTemplates(IOptions<EmailOptions> email, IOptions<WorkflowOptions> workflows)
    {
        var folder = email.Value.TemplatePath ?? Path.Combine(workflows.Value.ResolvedPath, "email-templates");
        foreach (var name in new[] { Escalation, Digest, Notice })
            _templates[name] = (Load(folder, name, "subject"), Load(folder, name, "body"));
    }

    private static IFluidTemplate Load(string folder, string name, string part)
    {
        var path = Path.Combine(folder, $"{name}.{part}.liquid");
        if (!File.Exists(path)) throw new InvalidOperationException($"Email template {path} is missing.");
        return Parser.TryParse(File.ReadAllText(path), out var template, out var error)
            ? template
            : throw new InvalidOperationException($"Email template {path} cannot be parsed: {error}");
    }

    /// <param name="model">Names the template may use, with dictionaries and lists of dictionaries as values.</param>
    public RenderedEmail Render(string name, IReadOnlyDictionary<string, object?> model)
    {
        var context = new TemplateContext(_options);
        foreach (var (key, value) in model) context.SetValue(key, Plain(key, value));
        var (subject, body) = _templates[name];
        // A subject is one line: a template's stray newline must not become a header break.
        return new RenderedEmail(string.Join(" ", subject.Render(context).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
            body.Render(context).Trim() + "\n");
    }

    /// <summary>
    /// Every value as plain text that cannot forge a line or a link in the email: what a user typed (an employer's
    /// name, a person's) is one line, with "://" broken so that a mail client makes no link of it. Only a value under
    /// a key <c>url</c> or <c>…_url</c> is a link, and it is one this service built from its own base URL.
    /// </summary>
    private static object? Plain(string key, object? value) => value switch
    {
        string text when key == "url" || key.EndsWith("_url", StringComparison.Ordinal) => text,
        string text => TextRules.OneLine(text).Replace("://", "：//", StringComparison.Ordinal),
        IReadOnlyDictionary<string, object?> map => map.ToDictionary(p => p.Key, p => Plain(p.Key, p.Value)),
        System.Collections.IEnumerable list and not string => list.Cast<object?>().Select(item => Plain(key, item)).ToList(),
        _ => value,
    };
}
