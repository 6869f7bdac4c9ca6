using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace WageClue.Server.Tests;

public class AccountTests : ApiTest
{
    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..20];

    [Test]
    public async Task A_wrong_password_and_an_unknown_user_get_the_same_401()
    {
        var client = TestHost.App.CreateClient();
        var wrong = await Api.ExpectAsync(await client.PostAsJsonAsync("/api/auth/token", new { username = "cw.zd", password = "nope-nope-nope" }), HttpStatusCode.Unauthorized);
        var unknown = await Api.ExpectAsync(await client.PostAsJsonAsync("/api/auth/token", new { username = "nobody", password = "nope-nope-nope" }), HttpStatusCode.Unauthorized);
        Assert.That(wrong.Str("detail"), Is.EqualTo(unknown.Str("detail")));
    }

    [Test]
    public async Task Me_shows_the_role_and_districts()
    {
        var me = await (await TestHost.As("sup.zd")).GetObjectAsync("/api/users/me");
        Assert.That((me.Str("username"), me.Str("role"), me.Str("roleName")), Is.EqualTo(("sup.zd", "supervisor", "科室/区县负责人")));
        Assert.That(me["districts"]!.AsArray().Select(d => d!.Str("name")), Is.EqualTo(new[] { "张店区" }));
    }

    [Test]
    public async Task An_admin_creates_a_user_who_can_then_log_in_and_a_duplicate_name_is_refused()
    {
        var admin = await TestHost.As("admin");
        var name = Unique("new.");
        var created = await Api.ExpectAsync(await admin.Http.PostAsJsonAsync("/api/users",
            new { username = name, displayName = "新同事", email = "new@test.local", role = "caseworker", districts = new[] { "370304" }, password = "a-long-password" }),
            HttpStatusCode.Created);
        Assert.That(created["districts"]![0]!.Str("name"), Is.EqualTo("博山区"));
        await Api.LoginAsync(TestHost.App.CreateClient(), name, "a-long-password");

        var again = await admin.Http.PostAsJsonAsync("/api/users",
            new { username = name, displayName = "x", role = "caseworker", districts = new[] { "370304" }, password = "a-long-password" });
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [TestCase("username", "A B")]
    [TestCase("role", "boss")]
    [TestCase("password", "short")]
    [TestCase("email", "not-an-address")]
    [TestCase("districts", "370399")]
    public async Task A_bad_user_is_refused_naming_the_field(string field, string value)
    {
        var user = new JsonObject
        {
            ["username"] = Unique("u."), ["displayName"] = "某人", ["role"] = "caseworker",
            ["districts"] = new JsonArray("370303"), ["password"] = "a-long-password",
        };
        user[field] = field == "districts" ? new JsonArray(value) : value;
        var admin = await TestHost.As("admin");
        var before = await TestHost.TableCountsAsync();
        var problem = await Api.ExpectAsync(await admin.PostAsync("/api/users", user.ToJsonString()), HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]![field], Is.Not.Null, problem.ToJsonString());
        Assert.That(await TestHost.TableCountsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Disabling_a_user_ends_their_session_at_once_and_a_role_change_applies_at_once()
    {
        var admin = await TestHost.As("admin");
        var name = Unique("leaver.");
        var created = await Api.ExpectAsync(await admin.Http.PostAsJsonAsync("/api/users",
            new { username = name, displayName = "离职者", role = "caseworker", districts = new[] { "370303" }, password = "a-long-password" }), HttpStatusCode.Created);
        var id = created["id"]!.GetValue<long>();
        var leaver = await Api.LoginAsync(TestHost.App.CreateClient(), name, "a-long-password");
        Assert.That((await leaver.Http.GetAsync("/api/clues")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await Api.ExpectAsync(await admin.PutAsync($"/api/users/{id}", new { disabled = true }), HttpStatusCode.OK);
        Assert.That((await leaver.Http.GetAsync("/api/clues")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var login = await TestHost.App.CreateClient().PostAsJsonAsync("/api/auth/token", new { username = name, password = "a-long-password" });
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Only_admins_manage_users_and_an_admin_cannot_disable_themselves()
    {
        var cw = await TestHost.As("cw.zd");
        Assert.That((await cw.Http.GetAsync("/api/users")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var admin = await TestHost.As("admin");
        Assert.That((await admin.GetArrayAsync("/api/users")).Count, Is.GreaterThanOrEqualTo(6));
        var self = await Api.ExpectAsync(await admin.PutAsync($"/api/users/{TestHost.UserIds["admin"]}", new { disabled = true }), HttpStatusCode.BadRequest);
        Assert.That(self["errors"]!["disabled"], Is.Not.Null);
        Assert.That((await admin.PutAsync("/api/users/999999", new { displayName = "x" })).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Passwords_are_hashed_with_pbkdf2_at_210000_iterations()
    {
        var hash = await TestHost.ScalarAsync<string>("SELECT password_hash FROM wageclue.users WHERE username = 'cw.zd'");
        var bytes = Convert.FromBase64String(hash);
        // Identity's V3 format: 0x01, PRF (1 = HMACSHA256, 2 = HMACSHA512), iteration count, salt length, salt, subkey.
        Assert.That(bytes[0], Is.EqualTo(0x01));
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1)), Is.EqualTo(2));
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5)), Is.EqualTo(210_000));
    }
}
