using System.Text;

namespace PeftSharp.Tests.Gguf;

/// <summary>
/// GGUF files assembled byte by byte, independently of PeftSharp's writer, following ggml's docs/gguf.md: header (magic,
/// version, counts), metadata (key, type, value), tensor infos (name, dimensions innermost first, type, offset), padding
/// to the alignment, data.
/// </summary>
internal sealed class GgufBytes
{
    private readonly MemoryStream metadata = new();
    private readonly MemoryStream infos = new();
    private readonly MemoryStream data = new();
    private int kvCount, tensorCount;

    public uint Magic { get; init; } = 0x46554747;
    public uint Version { get; init; } = 3;
    public int Alignment { get; init; } = 32;

    public GgufBytes Kv(string key, uint type, Action<BinaryWriter> value)
    {
        using var w = new BinaryWriter(metadata, Encoding.UTF8, leaveOpen: true);
        Str(w, key);
        w.Write(type);
        value(w);
        kvCount++;
        return this;
    }

    public GgufBytes KvString(string key, string value) => Kv(key, 8, w => Str(w, value));
    public GgufBytes KvUInt32(string key, uint value) => Kv(key, 4, w => w.Write(value));

    /// <summary>A tensor of ggml dimensions <paramref name="dims"/> (innermost first) whose data is <paramref name="bytes"/>, placed at the next aligned offset unless <paramref name="offset"/> says otherwise.</summary>
    public GgufBytes Tensor(string name, ulong[] dims, uint type, byte[] bytes, ulong? offset = null)
    {
        while (data.Length % Alignment != 0) data.WriteByte(0);
        using var w = new BinaryWriter(infos, Encoding.UTF8, leaveOpen: true);
        Str(w, name);
        w.Write((uint)dims.Length);
        foreach (var d in dims) w.Write(d);
        w.Write(type);
        w.Write(offset ?? (ulong)data.Length);
        data.Write(bytes);
        tensorCount++;
        return this;
    }

    public static void Str(BinaryWriter w, string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)b.Length);
        w.Write(b);
    }

    public byte[] ToArray()
    {
        using var file = new MemoryStream();
        using (var w = new BinaryWriter(file, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write((ulong)tensorCount);
            w.Write((ulong)kvCount);
        }
        metadata.WriteTo(file);
        infos.WriteTo(file);
        while (file.Length % Alignment != 0) file.WriteByte(0);
        data.WriteTo(file);
        return file.ToArray();
    }

    public string Save()
    {
        var path = Path.Combine(GgufTestModels.TempFolder("bytes"), "file.gguf");
        File.WriteAllBytes(path, ToArray());
        return path;
    }
}
