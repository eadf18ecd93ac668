using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace SignalR.TestHub;

/// <summary>
/// Process-wide map ConnectionId -> HubConnectionContext for every live connection on every hub endpoint.
/// Filled by <see cref="TrackingHubLifetimeManager{THub}"/>. Connection ids are unique across hubs.
/// Lets hub methods write raw protocol messages (e.g. a Close with custom error/allowReconnect) to a connection,
/// and send to a connection after the hub method returned (the Hub instance is disposed by then).
/// </summary>
public static class ConnectionRegistry
{
    private static readonly ConcurrentDictionary<string, HubConnectionContext> Connections = new();

    public static void Add(HubConnectionContext connection) => Connections[connection.ConnectionId] = connection;

    public static void Remove(HubConnectionContext connection) =>
        Connections.TryRemove(new KeyValuePair<string, HubConnectionContext>(connection.ConnectionId, connection));

    public static bool TryGet(string connectionId, out HubConnectionContext connection) =>
        Connections.TryGetValue(connectionId, out connection!);
}
