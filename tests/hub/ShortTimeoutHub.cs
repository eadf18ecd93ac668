namespace SignalR.TestHub;

/// <summary>
/// Endpoint /hub-short: all TestHub methods, with KeepAliveInterval 1 s, ClientTimeoutInterval 2 s and
/// HandshakeTimeout 2 s (configured in Program.cs via AddHubOptions&lt;ShortTimeoutHub&gt;).
/// </summary>
public class ShortTimeoutHub : TestHub
{
}
