using Microsoft.AspNetCore.StaticFiles;

namespace SignalR.TestHub;

/// Static files beyond wwwroot: the directories the browser tests pass in (see Program.cs).
public static class StaticContent
{
    /// ASP.NET's defaults plus the types of Emscripten and ES module outputs. `application/wasm` is what
    /// WebAssembly.instantiateStreaming insists on; `.mjs` must be JavaScript or the browser refuses the module.
    public static FileExtensionContentTypeProvider ContentTypes()
    {
        var provider = new FileExtensionContentTypeProvider();
        provider.Mappings[".wasm"] = "application/wasm";
        provider.Mappings[".mjs"] = "text/javascript";
        provider.Mappings[".js"] = "text/javascript";
        provider.Mappings[".map"] = "application/json";
        provider.Mappings[".ts"] = "text/plain";
        return provider;
    }

    /// "/a=/dir1;/dir2" => ("/a", "/dir1"), ("", "/dir2"). Directories must exist: a typo fails at start, not as
    /// a 404 in the middle of a test.
    public static IEnumerable<(string Prefix, string Directory)> ParseDirs(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            yield break;
        }
        foreach (var entry in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var prefix = "";
            var directory = entry;
            var eq = entry.IndexOf('=');
            if (entry.StartsWith('/') && eq > 0)
            {
                prefix = entry[..eq].TrimEnd('/');
                directory = entry[(eq + 1)..];
            }
            directory = Path.GetFullPath(directory);
            if (!Directory.Exists(directory))
            {
                throw new DirectoryNotFoundException($"StaticDirs: no such directory: {directory}");
            }
            yield return (prefix, directory);
        }
    }
}
