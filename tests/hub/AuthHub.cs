using Microsoft.AspNetCore.Authorization;

namespace SignalR.TestHub;

/// <summary>
/// Endpoint /hub-auth: every request (negotiate and transport) needs a valid bearer token
/// (see <see cref="TestTokenAuthenticationHandler"/>), otherwise 401. All TestHub methods plus WhoAmI.
/// </summary>
[Authorize(AuthenticationSchemes = TestTokenAuthenticationHandler.SchemeName)]
public class AuthHub : TestHub
{
    /// <summary>The token the connection authenticated with.</summary>
    public string? WhoAmI() => Context.User?.Identity?.Name;
}
