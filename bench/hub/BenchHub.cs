using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;

namespace SignalR.BenchHub;

/// The hub every benchmark peer talks to. Methods are synchronous where they can be, so the
/// server does as little work per message as ASP.NET Core allows and the client is what is measured.
public sealed class BenchHub : Hub
{
    public string Echo(string text) => text;

    /// Every connection receives "EchoAll" with the text.
    public Task EchoAll(string text) => Clients.All.SendAsync("EchoAll", text);

    /// Sends `count` invocations of "Flood"(index, payload) to the caller, then returns `count`.
    /// The completion is written after the last invocation, so the caller knows when all arrived.
    public async Task<int> Flood(int count, string payload)
    {
        var caller = Clients.Caller;
        for (var i = 0; i < count; i++)
        {
            var pending = caller.SendAsync("Flood", i, payload);
            if (!pending.IsCompletedSuccessfully)
            {
                await pending;
            }
        }
        return count;
    }

    /// Streams 0 .. count-1.
    public async IAsyncEnumerable<int> Counter(int count, [EnumeratorCancellation] CancellationToken cancel)
    {
        for (var i = 0; i < count && !cancel.IsCancellationRequested; i++)
        {
            yield return i;
        }
        await Task.CompletedTask;
    }

    /// Consumes an upload stream; returns how many items arrived.
    public async Task<int> Sink(IAsyncEnumerable<string> items)
    {
        var count = 0;
        await foreach (var _ in items)
        {
            count++;
        }
        return count;
    }
}
