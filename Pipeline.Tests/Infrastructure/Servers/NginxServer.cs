using System.Diagnostics;
using System.Globalization;

namespace Pipeline.Tests.Infrastructure.Servers;

/// <summary>A real nginx (Debian's) serving a temporary root on a free 127.0.0.1 port, configured from tools/nginx/nginx.conf.template; stopped on dispose.</summary>
internal sealed class NginxServer : IDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _prefix;

    private NginxServer(Process process, TempDirectory prefix, int port)
    {
        _process = process;
        _prefix = prefix;
        Port = port;
    }

    public int Port { get; }

    public string Root => Path.Combine(_prefix.Path, "root");

    public static NginxServer Start()
    {
        string nginx = ServerRequirement.Nginx ?? throw new InvalidOperationException("nginx is required: apt-get install nginx-light (.ci/run does).");
        string template = File.ReadAllText(Path.Combine(ServerRequirement.RepositoryRoot!, "tools", "nginx", "nginx.conf.template"));
        for (int attempt = 0; ; attempt++)
        {
            var prefix = new TempDirectory();
            Directory.CreateDirectory(Path.Combine(prefix.Path, "root"));
            Directory.CreateDirectory(Path.Combine(prefix.Path, "logs"));
            int port = ServerRequirement.FreePort();
            string conf = Path.Combine(prefix.Path, "nginx.conf");
            File.WriteAllText(conf, template.Replace("@PREFIX@", prefix.Path, StringComparison.Ordinal)
                .Replace("@ROOT@", Path.Combine(prefix.Path, "root"), StringComparison.Ordinal)
                .Replace("@PORT@", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
            var info = new ProcessStartInfo(nginx)
            {
                ArgumentList = { "-p", prefix.Path, "-c", conf, "-e", Path.Combine(prefix.Path, "error.log") },
            };
            try
            {
                return new NginxServer(ServerRequirement.StartListening(info, port, "nginx", TimeSpan.FromSeconds(20)), prefix, port);
            }
            catch (Exception error)
            {
                // Lost the free port to another process between choosing and binding it: try another.
                prefix.Dispose();
                if (error is not InvalidOperationException || attempt >= 2) throw;
            }
        }
    }

    public string Url(string name) => $"http://127.0.0.1:{Port}/{name}";

    public string Publish(string name, byte[] bytes)
    {
        string path = Path.Combine(Root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return Url(name);
    }

    public string PublishFile(string name, string source) => Publish(name, File.ReadAllBytes(source));

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        _prefix.Dispose();
    }
}
