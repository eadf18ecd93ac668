using System.Collections.Concurrent;

namespace SignalR.TestHub;

/// <summary>
/// Static state shared by hub instances (a Hub object lives for one invocation only).
/// Everything here survives client reconnects; it is reset only by restarting the process
/// (or, for recorded numbers, by ResetRecorded).
/// </summary>
public static class HubState
{
    private static int _cancelledStreams;

    /// <summary>Key/value store of SetValue/GetValue, shared by all hub endpoints.</summary>
    public static ConcurrentDictionary<string, string> Values { get; } = new();

    /// <summary>Number of server-to-client streams (any endpoint) whose cancellation token fired because the client sent CancelInvocation.</summary>
    public static int CancelledStreams => Volatile.Read(ref _cancelledStreams);

    public static void StreamCancelled() => Interlocked.Increment(ref _cancelledStreams);

    private static readonly ConcurrentDictionary<Type, NumberLog> RecordedByHub = new();
    private static readonly ConcurrentDictionary<string, NumberLog> RecordedByConnection = new();

    /// <summary>Numbers received by Record on one hub type (endpoint), in arrival order.</summary>
    public static NumberLog RecordedFor(Type hubType) => RecordedByHub.GetOrAdd(hubType, _ => new NumberLog());

    /// <summary>Numbers received by Record from one connection id, in arrival order. Kept after the connection closed.</summary>
    public static NumberLog RecordedForConnection(string connectionId) =>
        RecordedByConnection.GetOrAdd(connectionId, _ => new NumberLog());

    public static bool TryGetRecordedForConnection(string connectionId, out NumberLog log) =>
        RecordedByConnection.TryGetValue(connectionId, out log!);

    /// <summary>Clears the hub-type list and the given connection's list (other connections' lists are untouched).</summary>
    public static void ResetRecorded(Type hubType, string connectionId)
    {
        RecordedFor(hubType).Clear();
        if (RecordedByConnection.TryGetValue(connectionId, out var log))
        {
            log.Clear();
        }
    }
}
