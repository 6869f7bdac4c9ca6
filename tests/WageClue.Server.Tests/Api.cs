using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WageClue.Server.Tests;

/// <summary>An API client with intent methods, as one user.</summary>
public sealed class Api(HttpClient http)
{
    public HttpClient Http { get; } = http;

    public static async Task<Api> LoginAsync(HttpClient http, string username, string password)
    {
        var response = await http.PostAsJsonAsync("/api/auth/token", new { username, password });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new Api(http);
    }

    public static JsonObject NewClue(Action<JsonObject>? change = null)
    {
        var clue = new JsonObject
        {
            ["channel"] = "hotline-12345",
            ["districtId"] = "370303",
            ["complainantName"] = "刘洋",
            ["complainantPhone"] = "13905331234",
            ["complainantIdNumber"] = "11010519491231002X",
            ["employerName"] = "淄博某某配送服务有限公司",
            ["employerCreditCode"] = "91350100M000100Y43",
            ["industry"] = "platform",
            ["workerCount"] = 6,
            ["amountOwed"] = 28600.00m,
            ["description"] = "六名外卖骑手反映配送代理商未支付10月工资。",
        };
        change?.Invoke(clue);
        return clue;
    }

    public Task<HttpResponseMessage> PostAsync(string url, string json, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (idempotencyKey != null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> PutAsync(string url, object body) => Http.PutAsJsonAsync(url, body);

    /// <summary>Registers a clue and insists on 201.</summary>
    public async Task<JsonObject> RegisterAsync(JsonObject? clue = null, string? idempotencyKey = null)
    {
        var response = await PostAsync("/api/clues", (clue ?? NewClue()).ToJsonString(), idempotencyKey);
        return await ExpectAsync(response, HttpStatusCode.Created);
    }

    public Task<HttpResponseMessage> ActAsync(long id, string action, object? fields = null) =>
        PostAsync($"/api/clues/{id}/actions/{action}", JsonSerializer.Serialize(fields ?? new { }));

    /// <summary>Fires an action and insists on 200.</summary>
    public async Task<JsonObject> DoAsync(long id, string action, object? fields = null) =>
        await ExpectAsync(await ActAsync(id, action, fields), HttpStatusCode.OK);

    public async Task<JsonObject> GetObjectAsync(string url) => await ExpectAsync(await Http.GetAsync(url), HttpStatusCode.OK);

    public async Task<JsonArray> GetArrayAsync(string url)
    {
        var response = await Http.GetAsync(url);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonArray>())!;
    }

    /// <summary>Insists on 200 with a JSON array.</summary>
    public static async Task<JsonArray> ExpectAsync200ArrayAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonNode.Parse(body)!.AsArray();
    }

    public static async Task<JsonObject> ExpectAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        return body.Length == 0 ? new JsonObject() : JsonNode.Parse(body)!.AsObject();
    }

    public static JsonObject Clock(JsonObject clue, string clock) =>
        clue["clocks"]!.AsArray().Single(c => c!["clock"]!.GetValue<string>() == clock)!.AsObject();
}

public static class JsonExtensions
{
    public static long Id(this JsonObject clue) => clue["id"]!.GetValue<long>();
    public static string Str(this JsonNode node, string name) => node[name]!.GetValue<string>();
}
