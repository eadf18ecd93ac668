using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace SignalR.TestHub;

/// <summary>
/// Minimal bearer-token scheme (no JwtBearer package): the token comes from the "Authorization: Bearer &lt;token&gt;"
/// header or, failing that, from the "access_token" query parameter. Valid tokens: "secret-token" and anything
/// starting with "valid-". The authenticated user's Name is the token itself.
/// </summary>
public class TestTokenAuthenticationHandler : AuthenticationHandler<AuthenticationSchemeOptions>
{
    public const string SchemeName = "TestToken";

    public TestTokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options,
        ILoggerFactory logger, UrlEncoder encoder) : base(options, logger, encoder)
    {
    }

    public static bool IsValid(string token) =>
        token == "secret-token" || (token.StartsWith("valid-", StringComparison.Ordinal) && token.Length > "valid-".Length);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? token = null;
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = header["Bearer ".Length..].Trim();
        }
        else if (Request.Query.TryGetValue("access_token", out var queryToken))
        {
            token = queryToken.ToString();
        }

        if (string.IsNullOrEmpty(token))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        if (!IsValid(token))
        {
            return Task.FromResult(AuthenticateResult.Fail("invalid token"));
        }

        var identity = new ClaimsIdentity(new[] { new Claim(ClaimTypes.Name, token) }, SchemeName);
        var ticket = new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName);
        return Task.FromResult(AuthenticateResult.Success(ticket));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
