namespace WageClue.Server.Infrastructure.Http;

/// <summary>
/// Marks one of the few API reads a page's own script makes with the browser's session cookie (the intake form's
/// employer matches). Every other API request needs a bearer token: a cookie is sent by the browser on its own, also
/// for a form or an image on another port of the same host (same-site, so SameSite=Strict does not stop it), and
/// must not close a clue or write a personal-data view in the user's name (issue 13, finding 2). Only GETs without
/// side effects may carry this mark.
/// </summary>
public sealed class SessionCookieAllowed
{
    public static bool For(HttpContext http) =>
        HttpMethods.IsGet(http.Request.Method) && http.GetEndpoint()?.Metadata.GetMetadata<SessionCookieAllowed>() != null;
}
