using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace WageClue.Server.Tests;

/// <summary>A browser without a browser: an HttpClient with the cookie jar that logs in with the form, antiforgery token and all.</summary>
public static partial class PageClient
{
    public static HttpClient Browser(WageClueApp? app = null) =>
        (app ?? TestHost.App).CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>Posts the login form and returns the answer (a redirect when it worked, the form with its message when not).</summary>
    public static async Task<HttpResponseMessage> PostLoginAsync(HttpClient browser, string username, string returnUrl = "/", string? password = null)
    {
        var page = await (await browser.GetAsync($"/login?ReturnUrl={Uri.EscapeDataString(returnUrl)}")).Content.ReadAsStringAsync();
        return await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Username"] = username, ["Password"] = password ?? TestHost.Password, ["ReturnUrl"] = returnUrl, ["__RequestVerificationToken"] = Token(page),
        }));
    }

    /// <summary>A browser logged in as the user (insists on the redirect that means it worked).</summary>
    public static async Task<HttpClient> LoginAsync(string username, WageClueApp? app = null)
    {
        var browser = Browser(app);
        var answer = await PostLoginAsync(browser, username);
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), $"login of {username}: {await answer.Content.ReadAsStringAsync()}");
        return browser;
    }

    /// <summary>The antiforgery token of a form on the page.</summary>
    public static string Token(string page) => TokenPattern().Match(page).Groups[1].Value;

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
