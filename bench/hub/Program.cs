// ASP.NET Core SignalR benchmark hub (bench/README.md).
// Run: dotnet BenchHub.dll --urls http://127.0.0.1:<port>     (loopback only)
//   /bench     BenchHub (JSON), transport and application buffers unbounded
//   /ws-echo   raw WebSocket echo, no SignalR framing (the floor)
//   --StaticDirs=/prefix=dir;...   also serves those directories (the browser benchmark's page and
//              the two clients it loads: one origin, so no CORS)

using System.Net.WebSockets;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using SignalR.BenchHub;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});

builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
builder.WebHost.ConfigureKestrel(k =>
{
    k.Limits.MaxConcurrentConnections = null;
    k.Limits.MaxConcurrentUpgradedConnections = null;
});

builder.Services.AddSignalR(o =>
{
    o.EnableDetailedErrors = true;
    o.MaximumReceiveMessageSize = null;
    // Pipelined invokes: the next one starts while an earlier one awaits (Flood).
    o.MaximumParallelInvocationsPerClient = 128;
    o.StreamBufferCapacity = 1024;
});

var app = builder.Build();

app.UseWebSockets();

// The browser benchmark (bench/browser). Cross-origin isolation (COOP + COEP) gives the page
// performance.now() at 5 us resolution instead of 100 us, which a latency of ~100 us needs.
var types = new FileExtensionContentTypeProvider();
types.Mappings[".wasm"] = "application/wasm";
types.Mappings[".mjs"] = "text/javascript";
types.Mappings[".js"] = "text/javascript";
foreach (var entry in (app.Configuration["StaticDirs"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
{
    var eq = entry.IndexOf('=');
    if (!entry.StartsWith('/') || eq < 0 || !Directory.Exists(entry[(eq + 1)..]))
    {
        throw new ArgumentException($"StaticDirs: expected /prefix=existing-directory, got {entry}");
    }
    app.UseStaticFiles(new StaticFileOptions
    {
        FileProvider = new PhysicalFileProvider(Path.GetFullPath(entry[(eq + 1)..])),
        RequestPath = entry[..eq].TrimEnd('/'),
        ContentTypeProvider = types,
        OnPrepareResponse = ctx =>
        {
            var headers = ctx.Context.Response.Headers;
            headers.CacheControl = "no-store";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Cross-Origin-Embedder-Policy"] = "require-corp";
        },
    });
}

app.MapHub<BenchHub>("/bench", o =>
{
    // 0 = unbounded: the server never pauses reading or writing for backpressure.
    o.TransportMaxBufferSize = 0;
    o.ApplicationMaxBufferSize = 0;
});

app.Map("/ws-echo", async (HttpContext context) =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = 400;
        return;
    }
    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    var buffer = new byte[64 * 1024];
    var message = new MemoryStream();
    while (socket.State == WebSocketState.Open)
    {
        var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
        if (received.MessageType == WebSocketMessageType.Close)
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            break;
        }
        if (received.EndOfMessage && message.Length == 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, true, context.RequestAborted);
            continue;
        }
        message.Write(buffer, 0, received.Count);
        if (received.EndOfMessage)
        {
            await socket.SendAsync(message.GetBuffer().AsMemory(0, (int)message.Length), received.MessageType, true,
                context.RequestAborted);
            message.SetLength(0);
        }
    }
});

app.Run();
