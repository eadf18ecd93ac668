namespace SignalR.TestHub;

/// <summary>Nested payload type of <see cref="Person"/>. On the wire (JSON): {"city":..,"zip":..}.</summary>
public record Address(string City, string Zip);
