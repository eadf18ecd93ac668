namespace SignalR.TestHub;

/// <summary>Payload type for EchoPerson / StreamPeople. On the wire (JSON): {"name":..,"age":..,"tags":[..],"address":{..}|null}.</summary>
public record Person(string Name, int Age, string[] Tags, Address? Address);
