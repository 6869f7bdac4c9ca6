using System.Net;
using System.Net.Http.Json;

namespace WageClue.Server.Tests.Hardening;

/// <summary>Issue 13, finding 7: trivial and common passwords are refused, users change their own, and must after an admin reset.</summary>
public class PasswordTests : ApiTest
{
    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..16];

    private static async Task<(string Name, long Id)> CreateUserAsync(string password = "Huanghe-ferry-1987")
    {
        var admin = await TestHost.As("admin");
        var name = Unique("pw.");
        var created = await Api.ExpectAsync(await admin.Http.PostAsJsonAsync("/api/users",
            new { username = name, displayName = "密码测试", role = "caseworker", districts = new[] { "370303" }, password }), HttpStatusCode.Created);
        return (name, created.Id());
    }

    [TestCase("aaaaaaaaaa")]
    [TestCase("1234567890")]
    [TestCase("5201314520")]
    [TestCase("password12")]
    [TestCase("P@ssw0rd2026!")]
    [TestCase("qwertyuiop")]
    [TestCase("1qaz2wsx3edc")]
    [TestCase("woaini1314")]
    [TestCase("zhang123456")]
    [TestCase("ababababab")]
    [TestCase("Wageclue2026")]
    [TestCase("zibo12345678")]
    public async Task A_trivial_or_common_password_is_refused(string password)
    {
        var admin = await TestHost.As("admin");
        var before = await TestHost.TableCountsAsync();
        var problem = await Api.ExpectAsync(await admin.Http.PostAsJsonAsync("/api/users",
            new { username = Unique("weak."), displayName = "某人", role = "caseworker", districts = new[] { "370303" }, password }), HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]!["password"], Is.Not.Null, problem.ToJsonString());
        Assert.That(await TestHost.TableCountsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task The_username_in_the_password_is_refused_and_a_long_uncommon_one_accepted()
    {
        var admin = await TestHost.As("admin");
        var own = await Api.ExpectAsync(await admin.Http.PostAsJsonAsync("/api/users",
            new { username = "lisi.zc", displayName = "李四", role = "caseworker", districts = new[] { "370302" }, password = "lisi.zc2026" }), HttpStatusCode.BadRequest);
        Assert.That(own["errors"]!["password"]![0]!.GetValue<string>(), Does.Contain("用户名"));
        await CreateUserAsync("淄川-般阳路-37号院");
        await CreateUserAsync("correct horse battery staple");
    }

    [Test]
    public async Task A_user_changes_their_own_password_which_ends_their_tokens()
    {
        var (name, _) = await CreateUserAsync();
        var user = await Api.LoginAsync(TestHost.App.CreateClient(), name, "Huanghe-ferry-1987");
        var wrong = await Api.ExpectAsync(await user.Http.PostAsJsonAsync("/api/users/me/password",
            new { currentPassword = "not-my-password", newPassword = "Taishan-sunrise-4am" }), HttpStatusCode.BadRequest);
        Assert.That(wrong["errors"]!["currentPassword"], Is.Not.Null);
        var weak = await Api.ExpectAsync(await user.Http.PostAsJsonAsync("/api/users/me/password",
            new { currentPassword = "Huanghe-ferry-1987", newPassword = "password2026" }), HttpStatusCode.BadRequest);
        Assert.That(weak["errors"]!["newPassword"], Is.Not.Null);

        var changed = await user.Http.PostAsJsonAsync("/api/users/me/password", new { currentPassword = "Huanghe-ferry-1987", newPassword = "Taishan-sunrise-4am" });
        Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await user.Http.GetAsync("/api/clues")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the token used ends with the old password");
        var old = await TestHost.App.CreateClient().PostAsJsonAsync("/api/auth/token", new { username = name, password = "Huanghe-ferry-1987" });
        Assert.That(old.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        await Api.LoginAsync(TestHost.App.CreateClient(), name, "Taishan-sunrise-4am");
    }

    [Test]
    public async Task After_an_admin_reset_the_api_answers_only_the_password_change()
    {
        var (name, id) = await CreateUserAsync();
        var admin = await TestHost.As("admin");
        await Api.ExpectAsync(await admin.PutAsync($"/api/users/{id}", new { password = "Temporary-by-admin-7" }), HttpStatusCode.OK);

        var user = await Api.LoginAsync(TestHost.App.CreateClient(), name, "Temporary-by-admin-7");
        var refused = await Api.ExpectAsync(await user.Http.GetAsync("/api/clues"), HttpStatusCode.Forbidden);
        Assert.That(refused.Str("title"), Is.EqualTo("须先修改密码"));
        Assert.That((await user.GetObjectAsync("/api/users/me"))["mustChangePassword"]!.GetValue<bool>(), Is.True);
        var changed = await user.Http.PostAsJsonAsync("/api/users/me/password", new { currentPassword = "Temporary-by-admin-7", newPassword = "Taishan-sunrise-4am" });
        Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var again = await Api.LoginAsync(TestHost.App.CreateClient(), name, "Taishan-sunrise-4am");
        Assert.That((await again.Http.GetAsync("/api/clues")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task After_an_admin_reset_every_page_leads_to_the_change_form_and_the_change_signs_the_browser_in_again()
    {
        var (name, id) = await CreateUserAsync();
        var admin = await TestHost.As("admin");
        await Api.ExpectAsync(await admin.PutAsync($"/api/users/{id}", new { password = "Temporary-by-admin-7" }), HttpStatusCode.OK);
        var browser = PageClient.Browser();
        var login = await PageClient.PostLoginAsync(browser, name, "/workbench", "Temporary-by-admin-7");
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var workbench = await browser.GetAsync("/workbench");
        Assert.That(workbench.Headers.Location?.ToString(), Is.EqualTo("/account/password?required=true"));

        var form = await (await browser.GetAsync("/account/password?required=true")).Content.ReadAsStringAsync();
        Assert.That(form, Does.Contain("管理员已重置您的密码"));
        var mismatch = await browser.PostAsync("/account/password", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["CurrentPassword"] = "Temporary-by-admin-7", ["NewPassword"] = "Taishan-sunrise-4am", ["Confirm"] = "Taishan-sunrise-4pm",
            ["__RequestVerificationToken"] = PageClient.Token(form),
        }));
        Assert.That(await mismatch.Content.ReadAsStringAsync(), Does.Contain("两次输入的新密码不一致"));
        var done = await browser.PostAsync("/account/password", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["CurrentPassword"] = "Temporary-by-admin-7", ["NewPassword"] = "Taishan-sunrise-4am", ["Confirm"] = "Taishan-sunrise-4am",
            ["__RequestVerificationToken"] = PageClient.Token(form),
        }));
        Assert.That(done.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That((await browser.GetAsync("/workbench")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "signed in again with the new session");
    }
}
