using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace WageClue.Server.Tests.Hardening;

/// <summary>
/// Issue 13, finding 4: the integration account (the 12345 hotline system) registers clues anywhere but reads only
/// its own, never a complainant's full data, and acts on nothing. Checked on every API route there is, so a route
/// added later is checked too.
/// </summary>
public class IntegrationAccountTests : ApiTest
{
    private const string OtherPhone = "13805339876", OtherName = "陈静", OtherId = "370303199003150013";

    [Test]
    public async Task No_read_route_shows_the_hotline_another_clue_or_full_personal_data()
    {
        var cw = await TestHost.As("cw.zd");
        var other = await cw.RegisterAsync(Api.NewClue(c =>
        {
            c["complainantName"] = OtherName;
            c["complainantPhone"] = OtherPhone;
            c["complainantIdNumber"] = OtherId;
        }));
        var hotline = await TestHost.As("hotline");
        var own = await hotline.RegisterAsync(Api.NewClue(c => c["districtId"] = "370302"));

        var routes = TestHost.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true
                && e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(e => e.RoutePattern.RawText!).Distinct().ToList();
        Assert.That(routes, Has.Count.GreaterThan(20), "the routes were found");

        var seen = new List<string>();
        foreach (var route in routes)
        {
            foreach (var url in Urls(route, other.Id(), other.Str("trackingCode"), own.Id()))
            {
                var response = await hotline.Http.GetAsync(url);
                var body = await response.Content.ReadAsStringAsync();
                seen.Add($"{(int)response.StatusCode} {url}");
                Assert.That(body, Does.Not.Contain(OtherPhone).And.Not.Contain(OtherName).And.Not.Contain(OtherId)
                    .And.Not.Contain("13905331234").And.Not.Contain("11010519491231002X"), $"{url} answered {(int)response.StatusCode}: {body}");
                if (url.Contains($"/{other.Id()}", StringComparison.Ordinal) && url.StartsWith("/api/clues", StringComparison.Ordinal))
                    Assert.That(response.StatusCode, Is.AnyOf(HttpStatusCode.NotFound, HttpStatusCode.Forbidden), url);
            }
        }
        TestContext.Out.WriteLine(string.Join("\n", seen));
        Assert.That((await hotline.Http.GetAsync($"/api/clues/{own.Id()}")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "its own clue, masked");
    }

    [Test]
    public async Task The_hotline_acts_on_nothing_not_even_its_own_clue_and_merges_nothing()
    {
        var cw = await TestHost.As("cw.zc");
        var target = await cw.RegisterAsync(Api.NewClue(c => c["districtId"] = "370302"));
        var hotline = await TestHost.As("hotline");
        var own = await hotline.RegisterAsync();
        var before = await TestHost.TableCountsAsync();
        foreach (var action in new[] { "accept", "merge", "reject", "close", "urge" })
        {
            var answer = await hotline.ActAsync(own.Id(), action, new { targetTrackingCode = target.Str("trackingCode") });
            Assert.That(answer.StatusCode, Is.AnyOf(HttpStatusCode.Forbidden, HttpStatusCode.BadRequest, HttpStatusCode.Conflict), action);
        }
        var intoOther = await hotline.ActAsync(target.Id(), "merge", new { targetTrackingCode = own.Str("trackingCode") });
        Assert.That(intoOther.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await TestHost.TableCountsAsync(), Is.EqualTo(before));
    }

    /// <summary>A route's pattern with its parameters filled in, for the other clue and for the hotline's own.</summary>
    private static IEnumerable<string> Urls(string route, long otherId, string otherCode, long ownId)
    {
        string Fill(long id, string code) => System.Text.RegularExpressions.Regex.Replace(route, "\\{([^}:]+)[^}]*\\}", m => m.Groups[1].Value switch
        {
            "trackingCode" => code,
            "definitionId" or "definition" => "wage-arrears-clue",
            "id" when route.StartsWith("/api/workflows", StringComparison.Ordinal) => "wage-arrears-clue",
            "version" or "n" or "year" => m.Groups[1].Value == "year" ? "2026" : "2",
            _ => id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        yield return Fill(otherId, otherCode);
        if (route.Contains('{', StringComparison.Ordinal)) yield return Fill(ownId, otherCode);
        if (route.TrimEnd('/') == "/api/clues") yield return $"/api/clues?q={OtherPhone}";
    }
}
