using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClaimLedger.BrowserTests.Support;

/// <summary>The JSON API as another user acts on it meanwhile, beside the browser.</summary>
public static class ApiCalls
{
    public static HttpClient As(this AppFixture app, string user)
    {
        var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", app.Keys[user]);
        return http;
    }

    public static async Task<JsonElement> PostAsync(this HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient http, string path) =>
        JsonDocument.Parse(await http.GetStringAsync(path)).RootElement.Clone();
}
