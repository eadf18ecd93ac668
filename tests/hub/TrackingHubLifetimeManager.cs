using Microsoft.AspNetCore.SignalR;

namespace SignalR.TestHub;

/// <summary>
/// The default in-memory lifetime manager, plus bookkeeping of each HubConnectionContext in
/// <see cref="ConnectionRegistry"/>. Registered as the open generic HubLifetimeManager&lt;&gt; in Program.cs.
/// </summary>
public class TrackingHubLifetimeManager<THub> : DefaultHubLifetimeManager<THub> where THub : Hub
{
    public TrackingHubLifetimeManager(ILogger<DefaultHubLifetimeManager<THub>> logger) : base(logger)
    {
    }

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        ConnectionRegistry.Add(connection);
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        ConnectionRegistry.Remove(connection);
        return base.OnDisconnectedAsync(connection);
    }
}
