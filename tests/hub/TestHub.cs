using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections.Abstractions;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace SignalR.TestHub;

/// <summary>
/// The hub all signalr-cpp integration tests run against (endpoint /hub; also the base class of the hubs behind
/// /hub-short, /hub-stateful and /hub-auth). README.md in this directory is the contract: keep them in sync.
/// </summary>
public class TestHub : Hub
{
    // ---- echo / argument binding -------------------------------------------------------------------------------

    public JsonElement Echo(JsonElement value) => value;

    public string EchoString(string value) => value;

    public long EchoLong(long value) => value;

    public double EchoDouble(double value) => value;

    public bool EchoBool(bool value) => value;

    public byte[] EchoBytes(byte[] value) => value;

    public int[] EchoIntArray(int[] value) => value;

    public Person EchoPerson(Person value) => value;

    public object? ReturnNull() => null;

    public int Add(int a, int b) => a + b;

    public string Concat(string a, long b, bool c, double d) =>
        string.Create(CultureInfo.InvariantCulture, $"{a}|{b}|{c}|{d}");

    public void Void()
    {
    }

    // ---- errors ---------------------------------------------------------------------------------------------------

    public void Throw(string message) => throw new HubException(message);

    public void ThrowUnexpected() => throw new InvalidOperationException("secret detail");

    // ---- timing / identity ---------------------------------------------------------------------------------------

    public async Task<string> Delay(int milliseconds, string value)
    {
        await Task.Delay(milliseconds, Context.ConnectionAborted);
        return value;
    }

    public string GetConnectionId() => Context.ConnectionId;

    public string? GetHeader(string name)
    {
        var request = Context.GetHttpContext()?.Request;
        if (request is null || !request.Headers.TryGetValue(name, out var values))
        {
            return null;
        }
        return values.ToString();
    }

    public string? GetQuery(string name)
    {
        var request = Context.GetHttpContext()?.Request;
        if (request is null || !request.Query.TryGetValue(name, out var values))
        {
            return null;
        }
        return values.ToString();
    }

    // ---- server -> client calls ---------------------------------------------------------------------------------

    public Task BroadcastAll(string message) => Clients.All.SendAsync("Broadcast", Context.ConnectionId, message);

    public Task BroadcastOthers(string message) => Clients.Others.SendAsync("Broadcast", Context.ConnectionId, message);

    public Task BroadcastCaller(string message) => Clients.Caller.SendAsync("Broadcast", Context.ConnectionId, message);

    public Task CallMeBack(string target, JsonElement[] arguments) =>
        Clients.Caller.SendCoreAsync(target, ToObjects(arguments));

    public void CallMeBackLater(string target, JsonElement[] arguments, int delayMs)
    {
        // The Hub instance (and its Clients) is gone once this method returns: look the connection up again later.
        var connectionId = Context.ConnectionId;
        var args = ToObjects(arguments);
        _ = Task.Run(async () =>
        {
            try
            {
                if (delayMs > 0)
                {
                    await Task.Delay(delayMs);
                }
                if (ConnectionRegistry.TryGet(connectionId, out var connection))
                {
                    await connection.WriteAsync(new InvocationMessage(target, args));
                }
            }
            catch (Exception)
            {
                // Connection went away in between: nothing to deliver.
            }
        });
    }

    public async Task<string> AskClient(string target, string argument)
    {
        var result = await Clients.Caller.InvokeAsync<string>(target, argument, CancellationToken.None);
        return "client said: " + result;
    }

    public async Task Sequence(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            await Clients.Caller.SendAsync("Seq", i);
        }
    }

    // Like Sequence, but paced: the numbers keep coming for count * intervalMs, long enough to span many transport
    // cuts. On a stateful-reconnect connection the sends made while the transport is down wait in the server's
    // message buffer and are replayed.
    public async Task PacedSequence(int count, int intervalMs)
    {
        for (var i = 1; i <= count; i++)
        {
            if (i > 1 && intervalMs > 0)
            {
                await Task.Delay(intervalMs, Context.ConnectionAborted);
            }
            await Clients.Caller.SendAsync("Seq", i);
        }
    }

    // ---- connection control -----------------------------------------------------------------------------------

    public async Task CloseMe(string? error, bool allowReconnect)
    {
        if (!ConnectionRegistry.TryGet(Context.ConnectionId, out var connection))
        {
            throw new HubException("CloseMe: connection not registered");
        }
        var close = new CloseMessage(error, allowReconnect);

        // When an aborted connection ends, the server always writes its own Close ({"type":7}, bypassing the abort
        // check), so simply writing ours first would put two Close messages on the wire. Instead:
#pragma warning disable CA2252 // IStatefulReconnectFeature is marked as a preview API; only used to detect the mode
        var stateful = connection.Features.Get<IStatefulReconnectFeature>() is not null;
#pragma warning restore CA2252
        if (!stateful)
        {
            // Plain connection: swap the connection's protocol for one that rewrites that final Close, then abort.
            // Nothing else is written after Abort(), so our Close is the only and last message.
            connection.Protocol = new CloseOverrideProtocol(connection.Protocol, close);
            connection.Abort();
        }
        else
        {
            // Stateful-reconnect connection: writes go through a message buffer that captured the original protocol,
            // so the swap has no effect. Write our Close, abort, and complete the transport output so the server's
            // own Close write fails. (A write already in progress when Abort() runs may still follow our Close.)
            await connection.WriteAsync(close);
            connection.Abort();
            connection.Features.Get<IConnectionTransportFeature>()?.Transport.Output.Complete();
        }
    }

    public void AbortMe() => Context.Abort();

    // ---- server-to-client streams -------------------------------------------------------------------------------

    public async IAsyncEnumerable<int> Counter(int count, int delayMs,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var tracking = TrackCancellation(cancellationToken);
        for (var i = 0; i < count; i++)
        {
            if (i > 0 && delayMs > 0)
            {
                await Task.Delay(delayMs, cancellationToken);
            }
            cancellationToken.ThrowIfCancellationRequested();
            yield return i;
        }
    }

    public ChannelReader<int> ChannelCounter(int count, int delayMs, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<int>(new BoundedChannelOptions(10)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        var tracking = TrackCancellation(cancellationToken);
        _ = Task.Run(async () =>
        {
            Exception? failure = null;
            try
            {
                for (var i = 0; i < count; i++)
                {
                    if (i > 0 && delayMs > 0)
                    {
                        await Task.Delay(delayMs, cancellationToken);
                    }
                    cancellationToken.ThrowIfCancellationRequested();
                    await channel.Writer.WriteAsync(i, cancellationToken);
                }
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            finally
            {
                tracking.Dispose();
                channel.Writer.TryComplete(failure);
            }
        });
        return channel.Reader;
    }

    public async IAsyncEnumerable<int> FailingStream(int itemsBeforeFailure, string message,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var tracking = TrackCancellation(cancellationToken);
        for (var i = 0; i < itemsBeforeFailure; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return i;
        }
        await Task.Yield();
        throw new HubException(message);
    }

    public async IAsyncEnumerable<Person> StreamPeople(int count,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var tracking = TrackCancellation(cancellationToken);
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return MakePerson(i);
        }
        await Task.CompletedTask;
    }

    public async IAsyncEnumerable<long> InfiniteCounter(int delayMs,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var tracking = TrackCancellation(cancellationToken);
        for (long i = 0; ; i++)
        {
            if (i > 0)
            {
                if (delayMs > 0)
                {
                    await Task.Delay(delayMs, cancellationToken);
                }
                else
                {
                    await Task.Yield();
                }
            }
            cancellationToken.ThrowIfCancellationRequested();
            yield return i;
        }
    }

    public int GetCancelledStreamCount() => HubState.CancelledStreams;

    // ---- client-to-server (upload) streams -------------------------------------------------------------------------

    public async Task<long> SumUpload(IAsyncEnumerable<int> numbers)
    {
        long sum = 0;
        await foreach (var n in numbers)
        {
            sum += n;
        }
        return sum;
    }

    public async Task<string[]> UploadEcho(ChannelReader<string> items)
    {
        var collected = new List<string>();
        await foreach (var item in items.ReadAllAsync())
        {
            collected.Add(item);
        }
        return collected.ToArray();
    }

    // ---- state that survives reconnects -----------------------------------------------------------------------------

    public void SetValue(string key, string value) => HubState.Values[key] = value;

    public string? GetValue(string key) => HubState.Values.TryGetValue(key, out var value) ? value : null;

    public void Record(int number)
    {
        HubState.RecordedFor(GetType()).Add(number);
        HubState.RecordedForConnection(Context.ConnectionId).Add(number);
    }

    public int[] GetRecorded() => HubState.RecordedFor(GetType()).Snapshot();

    public int[] GetRecordedFor(string connectionId) =>
        HubState.TryGetRecordedForConnection(connectionId, out var log) ? log.Snapshot() : Array.Empty<int>();

    public void ResetRecorded() => HubState.ResetRecorded(GetType(), Context.ConnectionId);

    // ---- helpers (not hub methods: private/static members are not callable) ----------------------------------

    /// <summary>The deterministic Person that StreamPeople yields at index <paramref name="i"/>.</summary>
    private static Person MakePerson(int i) =>
        new($"Person {i}", i, new[] { $"tag{i}", "streamed" },
            i % 2 == 0 ? new Address($"City {i}", i.ToString("D5", CultureInfo.InvariantCulture)) : null);

    private static object?[] ToObjects(JsonElement[]? arguments) =>
        arguments is null ? Array.Empty<object?>() : arguments.Select(a => (object?)a).ToArray();

    /// <summary>
    /// Counts the stream as cancelled when its token fires while the connection is still alive (that is, the client
    /// sent CancelInvocation; a connection drop also cancels stream tokens but is not counted).
    /// Dispose when the stream ends so a later token cancellation is not counted.
    /// </summary>
    private IDisposable TrackCancellation(CancellationToken streamToken)
    {
        var connectionAborted = Context.ConnectionAborted;
        return streamToken.Register(() =>
        {
            if (!connectionAborted.IsCancellationRequested)
            {
                HubState.StreamCancelled();
            }
        });
    }
}
