using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PeftSharp.Workflows;

namespace PeftSharp.Tests.Gguf;

/// <summary>
/// The README's LLamaSharp snippet, taken from README.md as written there, compiles as a program (top-level statements,
/// as in a user's Program.cs) and, run on an exported model, prints its greedy continuation.
/// </summary>
[Collection(LlamaCppCollection.Name)]
public class ReadmeSnippetTests
{
    private static string Readme => Path.Combine(DemoWorkflow.Assets(), "..", "README.md");

    [Fact]
    public async Task The_readme_llamasharp_snippet_runs_an_exported_model()
    {
        var match = Regex.Match(File.ReadAllText(Readme), @"<!-- llamasharp-snippet -->\s*```csharp\n(?<code>.*?)```\s*<!-- /llamasharp-snippet -->", RegexOptions.Singleline);
        Assert.True(match.Success, "README.md has no llamasharp-snippet block");
        var path = Path.Combine(GgufTestModels.TempFolder("readme"), "wordnet-define.gguf");
        ExportWorkflow.Model(GgufTestModels.ShippedGpt2, null, path);
        var code = match.Groups["code"].Value.Replace("\"wordnet-define.gguf\"", $"\"{path}\"");
        Assert.Contains(path, code);
        LlamaCpp.EnsureLoaded();

        var program = Compile(code);
        var printed = new StringWriter();
        var console = Console.Out;
        Console.SetOut(printed);
        try
        {
            var result = program.EntryPoint!.Invoke(null, [Array.Empty<string>()]);
            if (result is Task task) await task;
        }
        finally
        {
            Console.SetOut(console);
        }

        using var ours = new PeftSharpRun(GgufTestModels.ShippedGpt2);
        var greedy = ours.Greedy(ours.Tokenizer.Encode("cat (noun):").ToArray(), 16).TakeWhile(t => t != ours.Tokenizer.EosTokenId);
        Assert.Contains(ours.Tokenizer.Decode(greedy), printed.ToString());
    }

    /// <summary>The global usings of a `dotnet new console` project (ImplicitUsings), which the snippet relies on as a Program.cs would.</summary>
    private const string ImplicitUsings = "global using System; global using System.IO; global using System.Linq; global using System.Collections.Generic; " +
                                  "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;";

    /// <summary>The snippet as a console program against the framework and the test's LLamaSharp assemblies.</summary>
    private static Assembly Compile(string code)
    {
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var names = framework.Select(Path.GetFileName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var local = Directory.GetFiles(AppContext.BaseDirectory, "*.dll").Where(f => !names.Contains(Path.GetFileName(f)) && IsManaged(f));
        var compilation = CSharpCompilation.Create("ReadmeSnippet", [CSharpSyntaxTree.ParseText(ImplicitUsings), CSharpSyntaxTree.ParseText(code)],
            framework.Concat(local).Select(f => MetadataReference.CreateFromFile(f)), new CSharpCompilationOptions(OutputKind.ConsoleApplication));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        image.Position = 0;
        return AssemblyLoadContext.Default.LoadFromStream(image);
    }

    private static bool IsManaged(string file)
    {
        try { AssemblyName.GetAssemblyName(file); return true; }
        catch (BadImageFormatException) { return false; }
    }
}
