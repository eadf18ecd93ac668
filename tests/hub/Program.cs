// ASP.NET Core SignalR test hub for the signalr-cpp integration tests.
// Run: dotnet TestHub.dll --urls http://127.0.0.1:<port>     (loopback only)
// The contract (endpoints, hub methods, exact error texts) is README.md in this directory.

using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.SignalR;
using SignalR.TestHub;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    // Content root (and therefore wwwroot) = the build output dir, whatever the working directory is.
    ContentRootPath = AppContext.BaseDirectory,
});

// Warning by default; keep "Now listening on: ..." (Microsoft.Hosting.Lifetime, Information) visible because the
// C++ HubProcess helper waits for it. More specific categories can be raised through configuration, e.g.
// Logging__LogLevel__Microsoft.AspNetCore.SignalR=Debug in the environment.
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
// CloseMe deliberately makes the server's own final Close write fail ("Failed writing message. Aborting connection.");
// keep that expected noise out of the captured output.
builder.Logging.AddFilter("Microsoft.AspNetCore.SignalR.HubConnectionContext", LogLevel.Critical);

builder.Services
    .AddSignalR(o =>
    {
        o.EnableDetailedErrors = false; // only HubException messages reach clients
        o.MaximumReceiveMessageSize = 1024 * 1024;
        // > 1 so a hub method can await a client result (AskClient) while the client's Completion is processed.
        // Invocations still start in arrival order; the next one starts when the previous one goes async.
        o.MaximumParallelInvocationsPerClient = 16;
    })
    .AddHubOptions<ShortTimeoutHub>(o =>
    {
        o.KeepAliveInterval = TimeSpan.FromSeconds(1);
        o.ClientTimeoutInterval = TimeSpan.FromSeconds(2);
        o.HandshakeTimeout = TimeSpan.FromSeconds(2);
    });

// Default in-memory lifetime manager + a registry of HubConnectionContexts (for CloseMe / CallMeBackLater).
builder.Services.AddSingleton(typeof(HubLifetimeManager<>), typeof(TrackingHubLifetimeManager<>));

builder.Services
    .AddAuthentication(TestTokenAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, TestTokenAuthenticationHandler>(TestTokenAuthenticationHandler.SchemeName, null);
builder.Services.AddAuthorization();
// Keys in memory only: nothing written under $HOME, no "No XML encryptor configured" warning.
builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();

var app = builder.Build();

app.UseDefaultFiles();
app.UseStaticFiles(new StaticFileOptions { ContentTypeProvider = StaticContent.ContentTypes() });
// Build outputs the browser tests load (the wasm module, test pages): configuration key StaticDirs
// (`--StaticDirs=...` or the environment variable StaticDirs), entries separated by ';', each
// `/url-prefix=directory` or a bare directory served at the root.
foreach (var (prefix, directory) in StaticContent.ParseDirs(app.Configuration["StaticDirs"]))
{
    var files = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(directory);
    // `/prefix/` serves the folder's index.html, as `/` does for wwwroot.
    app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = prefix });
    app.UseStaticFiles(new StaticFileOptions
    {
        FileProvider = files,
        RequestPath = prefix,
        ContentTypeProvider = StaticContent.ContentTypes(),
        // Rebuilt between page loads: never let the browser reuse an old module.
        OnPrepareResponse = ctx => ctx.Context.Response.Headers.CacheControl = "no-store",
    });
}
app.UseAuthentication();
app.UseAuthorization();

app.MapHub<TestHub>("/hub");
app.MapHub<ShortTimeoutHub>("/hub-short");
app.MapHub<StatefulHub>("/hub-stateful", o => o.AllowStatefulReconnects = true);
app.MapHub<AuthHub>("/hub-auth");

// Plain HTTP endpoint: reflects the request so tests can check that custom headers / query parameters arrive.
// Header names are lower-cased; repeated headers / query keys are joined with ",".
app.MapMethods("/echo-headers", new[] { "GET", "POST" }, (HttpContext context) =>
{
    var headers = new SortedDictionary<string, string>(StringComparer.Ordinal);
    foreach (var (name, value) in context.Request.Headers)
    {
        headers[name.ToLowerInvariant()] = value.ToString();
    }
    var query = new SortedDictionary<string, string>(StringComparer.Ordinal);
    foreach (var (name, value) in context.Request.Query)
    {
        query[name] = value.ToString();
    }
    return Results.Json(new
    {
        method = context.Request.Method,
        path = context.Request.Path.Value,
        headers,
        query,
    });
});

app.Run();
