namespace SignalR.TestHub;

/// <summary>Endpoint /hub-stateful: all TestHub methods, mapped with AllowStatefulReconnects = true.</summary>
public class StatefulHub : TestHub
{
}
