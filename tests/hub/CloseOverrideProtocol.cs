using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace SignalR.TestHub;

/// <summary>
/// Wraps a connection's hub protocol and replaces every CloseMessage it writes with a fixed one.
/// Used by TestHub.CloseMe: the server always sends its own Close when a connection ends (CloseMessage.Empty after an
/// Abort), so writing a custom Close first would put two Close messages on the wire. Swapping the connection's
/// protocol and then aborting makes the server's single, final Close carry the requested error/allowReconnect.
/// All other messages, and parsing, are delegated unchanged.
/// </summary>
public sealed class CloseOverrideProtocol : IHubProtocol
{
    private readonly IHubProtocol _inner;
    private readonly CloseMessage _close;

    public CloseOverrideProtocol(IHubProtocol inner, CloseMessage close)
    {
        _inner = inner;
        _close = close;
    }

    public string Name => _inner.Name;

    public int Version => _inner.Version;

    public TransferFormat TransferFormat => _inner.TransferFormat;

    public bool IsVersionSupported(int version) => _inner.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder,
        [NotNullWhen(true)] out HubMessage? message) =>
        _inner.TryParseMessage(ref input, binder, out message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) =>
        _inner.WriteMessage(message is CloseMessage ? _close : message, output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) =>
        _inner.GetMessageBytes(message is CloseMessage ? _close : message);
}
