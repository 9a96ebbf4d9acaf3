namespace PeftSharp.Tokenization.SentencePiece;

/// <summary>The kind of a piece (ModelProto.SentencePiece.Type).</summary>
internal enum PieceType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 }

/// <summary>One entry of the vocabulary; its id is its position.</summary>
internal readonly record struct Piece(string Text, float Score, PieceType Type);

/// <summary>
/// What a SentencePiece <c>.model</c> file (a serialized ModelProto) says: the pieces, the algorithm (Unigram or BPE),
/// byte fallback, and how text is normalized (NormalizerSpec). Read strictly: a model the official library would refuse
/// to load (duplicate pieces, no unknown piece, byte fallback without the 256 byte pieces) is refused here too.
/// </summary>
internal sealed class SentencePieceModel
{
    public const int UnigramType = 1, BpeType = 2;

    private SentencePieceModel(List<Piece> pieces, int modelType, bool byteFallback, bool treatWhitespaceAsSuffix, string unknownSurface,
        NormalizerSpec normalizer)
    {
        Pieces = pieces;
        ModelType = modelType;
        ByteFallback = byteFallback;
        TreatWhitespaceAsSuffix = treatWhitespaceAsSuffix;
        UnknownSurface = unknownSurface;
        Normalizer = normalizer;
    }

    public IReadOnlyList<Piece> Pieces { get; }

    /// <summary>trainer_spec.model_type: 1 Unigram (the default), 2 BPE.</summary>
    public int ModelType { get; }

    public bool ByteFallback { get; }
    public bool TreatWhitespaceAsSuffix { get; }

    /// <summary>What decoding writes for the unknown piece (trainer_spec.unk_surface, default " ⁇ ").</summary>
    public string UnknownSurface { get; }

    public NormalizerSpec Normalizer { get; }

    /// <summary>normalizer_spec: the precompiled character map (empty for "identity") and the whitespace rules.</summary>
    internal sealed record NormalizerSpec(byte[] CharsMap, bool AddDummyPrefix, bool RemoveExtraWhitespaces, bool EscapeWhitespaces);

    /// <exception cref="PeftSharpException">Not a SentencePiece model this library can run; the message starts with <paramref name="where"/>.</exception>
    public static SentencePieceModel Parse(byte[] data, string where)
    {
        try
        {
            return ParseProto(data, where);
        }
        catch (FormatException e)
        {
            throw new PeftSharpException($"{where}: not a readable SentencePiece model ({e.Message})", e);
        }
    }

    private static SentencePieceModel ParseProto(byte[] data, string where)
    {
        var pieces = new List<Piece>();
        int modelType = UnigramType;
        bool byteFallback = false, suffix = false;
        string unknownSurface = " \u2047 ";
        var normalizer = new NormalizerSpec([], true, true, true);
        foreach (var field in ProtobufFields.Read(data))
        {
            switch (field.Number)
            {
                case 1 when field.WireType == 2:
                    pieces.Add(ReadPiece(field.Bytes));
                    break;
                case 2 when field.WireType == 2:
                    foreach (var t in ProtobufFields.Read(field.Bytes))
                    {
                        switch (t.Number)
                        {
                            case 3: modelType = t.AsInt32; break;
                            case 24: suffix = t.AsBool; break;
                            case 35: byteFallback = t.AsBool; break;
                            case 44: unknownSurface = t.AsString; break;
                        }
                    }
                    break;
                case 3 when field.WireType == 2:
                    normalizer = ReadNormalizer(field.Bytes);
                    break;
                case 5 when field.WireType == 2:
                    if (ReadNormalizer(field.Bytes).CharsMap.Length > 0)
                        throw new PeftSharpException($"{where}: denormalization rules (denormalizer_spec) are not supported");
                    break;
            }
        }
        if (modelType is not (UnigramType or BpeType))
            throw new PeftSharpException($"{where}: SentencePiece model type {modelType} is not supported (supported: 1 Unigram, 2 BPE)");
        Validate(pieces, byteFallback, where);
        return new SentencePieceModel(pieces, modelType, byteFallback, suffix, unknownSurface, normalizer);
    }

    private static Piece ReadPiece(ReadOnlyMemory<byte> bytes)
    {
        string text = "";
        float score = 0;
        var type = PieceType.Normal;
        foreach (var f in ProtobufFields.Read(bytes))
        {
            switch (f.Number)
            {
                case 1: text = f.AsString; break;
                case 2: score = f.AsFloat; break;
                case 3: type = (PieceType)f.AsInt32; break;
            }
        }
        return new Piece(text, score, type);
    }

    private static NormalizerSpec ReadNormalizer(ReadOnlyMemory<byte> bytes)
    {
        var spec = new NormalizerSpec([], true, true, true);
        foreach (var f in ProtobufFields.Read(bytes))
        {
            spec = f.Number switch
            {
                2 => spec with { CharsMap = f.Bytes.ToArray() },
                3 => spec with { AddDummyPrefix = f.AsBool },
                4 => spec with { RemoveExtraWhitespaces = f.AsBool },
                5 => spec with { EscapeWhitespaces = f.AsBool },
                _ => spec,
            };
        }
        return spec;
    }

    /// <summary>The checks of the official ModelInterface::InitializePieces.</summary>
    private static void Validate(List<Piece> pieces, bool byteFallback, string where)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int unknown = 0;
        var bytes = new bool[256];
        for (int id = 0; id < pieces.Count; id++)
        {
            var piece = pieces[id];
            if (piece.Text.Length == 0) throw new PeftSharpException($"{where}: piece {id} is empty");
            if (!Enum.IsDefined(piece.Type)) throw new PeftSharpException($"{where}: piece {id} (\"{piece.Text}\") has unknown type {(int)piece.Type}");
            if (!seen.Add(piece.Text)) throw new PeftSharpException($"{where}: piece \"{piece.Text}\" is defined twice");
            if (piece.Type == PieceType.Unknown) unknown++;
            if (piece.Type == PieceType.Byte)
            {
                if (!byteFallback) throw new PeftSharpException($"{where}: byte piece {piece.Text} found although byte_fallback is false");
                int b = ByteOfPiece(piece.Text);
                if (b < 0) throw new PeftSharpException($"{where}: byte piece \"{piece.Text}\" is not of the form <0xXX>");
                bytes[b] = true;
            }
        }
        if (unknown != 1) throw new PeftSharpException($"{where}: expected exactly one unknown piece, found {unknown}");
        if (byteFallback && Array.IndexOf(bytes, false) >= 0)
            throw new PeftSharpException($"{where}: byte_fallback is true but the 256 byte pieces <0x00>…<0xFF> are not all present");
    }

    /// <summary>The byte of a piece "&lt;0xXX&gt;" (upper-case hex, as SentencePiece writes it), or -1.</summary>
    public static int ByteOfPiece(string piece)
    {
        if (piece.Length != 6 || !piece.StartsWith("<0x", StringComparison.Ordinal) || piece[5] != '>') return -1;
        static int Hex(char c) => c is >= '0' and <= '9' ? c - '0' : c is >= 'A' and <= 'F' ? c - 'A' + 10 : -1;
        int high = Hex(piece[3]), low = Hex(piece[4]);
        return high < 0 || low < 0 ? -1 : high * 16 + low;
    }
}
