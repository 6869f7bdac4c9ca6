namespace WageClue.Server.Infrastructure.Http;

/// <summary>RFC 7807 problem details for every refusal, in the users' language; field errors keyed by the JSON field name.</summary>
public static class Problems
{
    public static IResult Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static IResult Invalid(IDictionary<string, string[]> errors, string detail = "请求中有字段不符合要求") =>
        TypedResults.ValidationProblem(errors, detail: detail, title: "请求有误");

    public static IResult NotFound(string detail = "未找到该记录") => Status(StatusCodes.Status404NotFound, "未找到", detail);

    public static IResult Forbidden(string detail) => Status(StatusCodes.Status403Forbidden, "无权操作", detail);

    public static IResult Conflict(string detail) => Status(StatusCodes.Status409Conflict, "状态冲突", detail);

    public static IResult Unprocessable(string detail) => Status(StatusCodes.Status422UnprocessableEntity, "无法处理", detail);

    public static IResult Status(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);
}
