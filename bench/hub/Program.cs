// ASP.NET Core SignalR benchmark hub (bench/README.md).
// Run: dotnet BenchHub.dll --urls http://127.0.0.1:<port>     (loopback only)
//   /bench     BenchHub (JSON), transport and application buffers unbounded
//   /ws-echo   raw WebSocket echo, no SignalR framing (the floor)

using System.Net.WebSockets;
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
