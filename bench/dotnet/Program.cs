// The .NET client peer of the benchmarks (Microsoft.AspNetCore.SignalR.Client): runs the scenarios
// that bench/driver.py names and prints one JSON object. Definitions: bench/README.md.
//
//   dotnet BenchClient.dll '<scenario JSON>'

using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

var spec = JsonNode.Parse(args[0])!.AsObject();
var url = spec["url"]!.GetValue<string>();
var mode = spec["mode"]!.GetValue<string>();

HubConnection Build() => new HubConnectionBuilder()
    .WithUrl(url, o =>
    {
        o.Transports = HttpTransportType.WebSockets;
        o.SkipNegotiation = false;
    })
    .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.None))
    .Build();

double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
double Percentile(List<double> sorted, double p) =>
    sorted[Math.Min(sorted.Count - 1, (int)Math.Floor(p / 100 * sorted.Count))];
long ProcStatus(string field)
{
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith(field + ":"))
        {
            return long.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1]);
        }
    }
    throw new InvalidOperationException(field);
}
int OpenFds() => Directory.GetFiles("/proc/self/fd").Length;

async Task<JsonObject> E1(HubConnection conn, JsonNode p)
{
    for (var i = 0; i < p["warmup"]!.GetValue<int>(); i++) await conn.InvokeAsync<string>("Echo", "x");
    var samples = new List<double>();
    var count = p["count"]!.GetValue<int>();
    for (var i = 0; i < count; i++)
    {
        var t0 = Stopwatch.GetTimestamp();
        await conn.InvokeAsync<string>("Echo", "x");
        samples.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
    }
    samples.Sort();
    return new JsonObject { ["p50_us"] = Percentile(samples, 50), ["p99_us"] = Percentile(samples, 99) };
}

async Task<JsonObject> Pipelined(HubConnection conn, int total, int outstanding)
{
    var sent = 0;
    var cpu0 = CpuSeconds();
    var t0 = Stopwatch.GetTimestamp();
    async Task Lane()
    {
        while (Interlocked.Increment(ref sent) <= total)
        {
            await conn.InvokeAsync<string>("Echo", "x");
        }
    }
    var lanes = new List<Task>();
    for (var i = 0; i < Math.Min(outstanding, total); i++) lanes.Add(Lane());
    await Task.WhenAll(lanes);
    var seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
    return new JsonObject
    {
        ["per_s"] = total / seconds,
        ["cpu_s_per_1000"] = (CpuSeconds() - cpu0) * 1000 / total,
    };
}

async Task<JsonObject> E2(HubConnection conn, JsonNode p)
{
    var result = new JsonObject();
    var total = p["total"]!.GetValue<int>();
    foreach (var k in p["outstanding"]!.AsArray())
    {
        var outstanding = k!.GetValue<int>();
        await Pipelined(conn, Math.Min(total, 1000), outstanding);
        result[outstanding.ToString()] = await Pipelined(conn, total, outstanding);
    }
    return result;
}

async Task<JsonObject> E3(HubConnection conn, JsonNode p)
{
    var payload = new string('x', p["payload"]!.GetValue<int>());
    var count = p["count"]!.GetValue<int>();
    long received = 0;
    long target = 1000;
    var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    // This client runs handlers on a queue of their own, so the Flood completion may overtake
    // the last handler calls: the run ends when both have happened.
    using (conn.On<int, string>("Flood", (_, _) =>
           {
               if (Interlocked.Increment(ref received) == Interlocked.Read(ref target)) all.TrySetResult();
           }))
    {
        await conn.InvokeAsync<int>("Flood", 1000, payload);
        await all.Task.WaitAsync(TimeSpan.FromSeconds(60));
        all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref target, count);
        Interlocked.Exchange(ref received, 0);
        var cpu0 = CpuSeconds();
        var t0 = Stopwatch.GetTimestamp();
        var n = await conn.InvokeAsync<int>("Flood", count, payload);
        await all.Task.WaitAsync(TimeSpan.FromSeconds(120));
        var seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        var cpu = CpuSeconds() - cpu0;
        if (Interlocked.Read(ref received) != count || n != count)
        {
            throw new InvalidOperationException($"Flood: {received} of {count} arrived");
        }
        return new JsonObject { ["per_s"] = count / seconds, ["cpu_s_per_1000"] = cpu * 1000 / count };
    }
}

async Task StreamOnce(HubConnection conn, int count)
{
    var items = 0;
    await foreach (var _ in conn.StreamAsync<int>("Counter", count))
    {
        items++;
    }
    if (items != count) throw new InvalidOperationException($"Counter: {items} of {count}");
}

async Task<JsonObject> E4(HubConnection conn, JsonNode p)
{
    var count = p["count"]!.GetValue<int>();
    await StreamOnce(conn, 1000);
    var cpu0 = CpuSeconds();
    var t0 = Stopwatch.GetTimestamp();
    await StreamOnce(conn, count);
    var seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
    return new JsonObject { ["per_s"] = count / seconds, ["cpu_s_per_1000"] = (CpuSeconds() - cpu0) * 1000 / count };
}

async Task<JsonObject> E5(JsonNode p)
{
    var samples = new List<double>();
    var warmup = p["warmup"]!.GetValue<int>();
    var count = p["count"]!.GetValue<int>();
    for (var i = 0; i < warmup + count; i++)
    {
        var conn = Build();
        var t0 = Stopwatch.GetTimestamp();
        await conn.StartAsync();
        var ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        await conn.DisposeAsync();
        if (i >= warmup) samples.Add(ms);
    }
    samples.Sort();
    return new JsonObject { ["median_ms"] = Percentile(samples, 50) };
}

async Task<(List<HubConnection> conns, string? error)> OpenMany(int count, int batch, DateTime deadline)
{
    var conns = new List<HubConnection>();
    string? error = null;
    while (conns.Count < count && error == null && DateTime.UtcNow < deadline)
    {
        var wave = Enumerable.Range(0, Math.Min(batch, count - conns.Count)).Select(_ => Build()).ToList();
        var starts = wave.Select(async c =>
        {
            try
            {
                await c.StartAsync();
                return (string?)null;
            }
            catch (Exception e)
            {
                return e.Message;
            }
        }).ToList();
        var results = await Task.WhenAll(starts);
        for (var i = 0; i < wave.Count; i++)
        {
            if (results[i] == null) conns.Add(wave[i]);
            else error ??= results[i];
        }
    }
    return (conns, error);
}

async Task<JsonObject> Idle(JsonNode p)
{
    var first = Build();
    await first.StartAsync();
    await first.InvokeAsync<string>("Echo", "x");
    GC.Collect();
    await Task.Delay(500);
    var rss0 = ProcStatus("VmRSS");
    var threads0 = ProcStatus("Threads");
    var fds0 = OpenFds();
    var (conns, error) = await OpenMany(p["connections"]!.GetValue<int>(), 100, DateTime.UtcNow.AddSeconds(120));
    if (error != null) throw new InvalidOperationException(error);
    GC.Collect();
    await Task.Delay(1000);
    double n = conns.Count;
    return new JsonObject
    {
        ["connections"] = conns.Count,
        ["rss_kb_per_conn"] = (ProcStatus("VmRSS") - rss0) / n,
        ["threads_per_conn"] = (ProcStatus("Threads") - threads0) / n,
        ["fds_per_conn"] = (OpenFds() - fds0) / n,
    };
}

async Task<JsonObject> Most(JsonNode p)
{
    var (conns, error) = await OpenMany(p["target"]!.GetValue<int>(), 200,
        DateTime.UtcNow.AddSeconds(p["seconds"]!.GetValue<int>()));
    var result = new JsonObject { ["connections"] = conns.Count };
    if (error != null) result["error"] = error;
    return result;
}

try
{
    var result = new JsonObject();
    switch (mode)
    {
        case "throughput":
        {
            var conn = Build();
            await conn.StartAsync();
            result["e1"] = await E1(conn, spec["e1"]!);
            result["e2"] = await E2(conn, spec["e2"]!);
            result["e3"] = await E3(conn, spec["e3"]!);
            result["e4"] = await E4(conn, spec["e4"]!);
            await conn.DisposeAsync();
            result["e5"] = await E5(spec["e5"]!);
            break;
        }
        case "idle": result["e6"] = await Idle(spec["e6"]!); break;
        case "max": result["e7"] = await Most(spec["e7"]!); break;
        default: throw new ArgumentException($"unknown mode {mode}");
    }
    Console.Out.WriteLine(result.ToJsonString());
    Console.Out.Flush();
    Environment.Exit(0);
}
catch (Exception e)
{
    Console.Error.WriteLine($"dotnet peer: {e}");
    Environment.Exit(1);
}
