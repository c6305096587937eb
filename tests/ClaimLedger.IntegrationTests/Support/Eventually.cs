using System.Diagnostics;
using Npgsql;

namespace ClaimLedger.IntegrationTests.Support;

/// <summary>For what must happen within a bound (a revoked key refused on every node within a second): polled, and timed.</summary>
public static class Eventually
{
    /// <summary>Polls every 20 ms until <paramref name="condition"/> holds; fails past <paramref name="bound"/>. Returns how long it took.</summary>
    public static async Task<TimeSpan> WithinAsync(Func<Task<bool>> condition, TimeSpan bound, string? what = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await condition()) return clock.Elapsed;
            if (clock.Elapsed > bound) throw new Shouldly.ShouldAssertException($"{what ?? "the condition"} did not hold within {bound.TotalMilliseconds} ms");
            await Task.Delay(20);
        }
    }

    /// <summary>Until the request is refused as unauthenticated (401, a problem naming Authorization).</summary>
    public static Task<TimeSpan> RefusedWithinAsync(Func<Task<ApiResponse>> request, TimeSpan bound) =>
        WithinAsync(async () =>
        {
            var r = await request();
            if (r.Status == 401) r.ProblemField.ShouldBe("Authorization");
            return r.Status == 401;
        }, bound, "a 401");

    /// <summary>The first column of every row, as text.</summary>
    public static async Task<List<string>> ScalarsAsync(this LedgerApi api, string sql, params (string Name, object Value)[] parameters)
    {
        await using var conn = new NpgsqlConnection(api.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add(reader.IsDBNull(0) ? "" : reader.GetValue(0).ToString()!);
        return rows;
    }
}
