using System.Net;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace WageClue.Server.Infrastructure.Observability;

/// <summary>
/// OpenTelemetry: request rates and latencies (ASP.NET Core), database calls (Npgsql) and the service's own figures
/// (<see cref="ServiceMetrics"/>), exported for Prometheus at /metrics; traces go out over OTLP when an
/// endpoint is configured.
/// </summary>
public static class ObservabilitySetup
{
    public const string ScrapePath = "/metrics";

    public static void AddObservability(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<MetricsOptions>(config.GetSection("Metrics"));
        services.AddSingleton<ServiceFigures>();
        services.AddHostedService(sp => sp.GetRequiredService<ServiceFigures>());
        services.AddSingleton<ServiceMetrics>();

        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("wageclue"))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddMeter(ServiceMetrics.MeterName)
                // No cached answer: the gauges are read from memory already (ServiceFigures), so a scrape is cheap,
                // and a cached one would hide a change for up to the exporter's default 300 ms.
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        // Traces only where the bureau runs a collector (Jaeger, Tempo, an OpenTelemetry Collector): OTLP to it.
        if (config["OpenTelemetry:OtlpEndpoint"] is { Length: > 0 } endpoint)
            otel.WithTracing(t => t
                .AddAspNetCoreInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter(o => o.Endpoint = new Uri(endpoint)));
    }

    /// <summary>
    /// /metrics for the networks in Metrics:AllowedNetworks only (the address after the trusted proxy's
    /// X-Forwarded-For, so a scrape through the public proxy is refused); everyone else gets 404, as if it were not there.
    /// Before HTTPS redirection: Prometheus scrapes plain http inside the network, like the health probe.
    /// </summary>
    public static void UseMetricsEndpoint(this WebApplication app)
    {
        var networks = (app.Configuration.GetSection("Metrics:AllowedNetworks").Get<string[]>() ?? new MetricsOptions().AllowedNetworks)
            .Select(IPNetwork.Parse).ToArray();
        app.UseOpenTelemetryPrometheusScrapingEndpoint(c =>
            c.Request.Path == ScrapePath && c.Connection.RemoteIpAddress is { } ip && Allowed(networks, ip));
        // The instruments are created with the service; the first scrape must already see them.
        _ = app.Services.GetRequiredService<ServiceMetrics>();
    }

    private static bool Allowed(IPNetwork[] networks, IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        return networks.Any(n => n.Contains(ip));
    }
}
