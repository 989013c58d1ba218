using System.CommandLine;
using System.Text;
using TapeChanger.Cli.Output;
using TapeChanger.Domain;
using static TapeChanger.Cli.TapeChangerCli;

namespace TapeChanger.Cli.Commands;

/// <summary>`profiles [NAME]`: the hardware profiles this build knows (shipped plus config-directory overrides).</summary>
internal static class ProfilesCommand
{
    public static Command Build()
    {
        var name = new Argument<string?>("NAME") { Description = "Print this profile as JSON (a template for your own).", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("profiles", "List the hardware profiles (shipped and overrides from the profiles directory), or print one as JSON.") { name };
        cmd.SetAction(Handler((ctx, p, _) =>
        {
            if (p.GetValue(name) is { } n)
            {
                ProfileCatalog catalog1;
                try { catalog1 = ctx.Catalog; }
                catch (InvalidDataException e)
                {
                    // 'profiles NAME > DIR/new.json' creates the (empty) file before this runs: still print the shipped profile.
                    ctx.Err.WriteLine($"tapechanger: note: {e.Message}; showing the shipped profiles");
                    catalog1 = ProfileCatalog.Load(null);
                }
                var profile = catalog1.Find(n) ?? throw new UsageException(
                    $"unknown hardware profile '{n}'; known profiles: {string.Join(", ", catalog1.Profiles.Select(x => x.Name))}");
                ctx.Out.WriteLine(HardwareProfiles.ToJson(profile));
                return Task.CompletedTask;
            }
            var catalog = ctx.Catalog;
            var rows = catalog.Profiles.Select(x =>
            {
                string file = catalog.FileOf(x);
                return new ProfileJson(x.Name, x.Priority, x.Match.Vendor, x.Match.Product, x.Match.Revision, file,
                    !file.StartsWith("hw-profiles/", StringComparison.Ordinal), x.Description);
            }).ToList();
            var sb = new StringBuilder();
            sb.AppendLine($"Profiles directory: {ctx.ProfilesDirectory}{(Directory.Exists(ctx.ProfilesDirectory) ? "" : " (does not exist)")}");
            foreach (var r in rows.OrderByDescending(r => r.Priority).ThenBy(r => r.Name, StringComparer.Ordinal))
            {
                string rev = r.Revision is null ? "" : $" rev /{r.Revision}/";
                sb.AppendLine($"  {r.Name,-28} {r.Priority,4}  /{r.Vendor}/ /{r.Product}/{rev}{(r.Override ? $"  (override: {r.File})" : "")}");
            }
            ctx.Emit(new ProfilesDocument(ctx.ProfilesDirectory, Directory.Exists(ctx.ProfilesDirectory), rows),
                static () => CliJsonContext.Default.ProfilesDocument, sb.ToString().TrimEnd());
            return Task.CompletedTask;
        }));
        return cmd;
    }
}
