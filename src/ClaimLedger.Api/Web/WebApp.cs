using Microsoft.Extensions.FileProviders;

namespace ClaimLedger.Web;

/// <summary>
/// The web app: static files (HTML, CSS, JavaScript modules) shipped beside the API's assembly in <c>App/</c>, served at
/// <c>/</c>. Nothing is built or fetched at run time. Every file goes out with a strict Content-Security-Policy: only this
/// origin's scripts, styles and API, no inline script or style, no frames, no plug-ins.
/// </summary>
public static class WebApp
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "App");

    public static IApplicationBuilder UseWebApp(this IApplicationBuilder app)
    {
        if (!Directory.Exists(Folder)) return app;
        var files = new PhysicalFileProvider(Folder);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, DefaultFileNames = ["index.html"] });
        return app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = ctx =>
            {
                var headers = ctx.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                // Revalidated on every load (the ETag makes that a 304): a new version of the app is never mixed with an old one.
                headers.CacheControl = "no-cache";
            },
        });
    }
}
