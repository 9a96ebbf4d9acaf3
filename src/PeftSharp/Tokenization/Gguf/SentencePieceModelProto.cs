using Google.Protobuf;

namespace PeftSharp.Tokenization.Gguf;

/// <summary>
/// The parts of a SentencePiece model file (sentencepiece_model.proto, <c>ModelProto</c>) that a llama.cpp vocabulary
/// holds: the pieces with scores and types, the trainer's model type, byte fallback and special ids, and the normaliser
/// flags. Read from and written to the protobuf wire format with Google.Protobuf's coded streams; fields not listed
/// here are skipped on read and not written.
/// </summary>
internal sealed record SentencePieceModelProto
{
    /// <summary>trainer_spec.model_type values.</summary>
    public const int Unigram = 1, Bpe = 2;

    public required IReadOnlyList<(string Piece, float Score, int Type)> Pieces { get; init; }
    public int ModelType { get; init; } = Unigram;
    public bool ByteFallback { get; init; }
    public int UnkId { get; init; }
    public int BosId { get; init; } = 1;
    public int EosId { get; init; } = 2;
    public int PadId { get; init; } = -1;
    /// <summary>normalizer_spec.name ("identity", "nmt_nfkc", …), or null when absent.</summary>
    public string? NormalizerName { get; init; }
    public bool HasCharsMap { get; init; }
    public bool AddDummyPrefix { get; init; } = true;
    public bool RemoveExtraWhitespaces { get; init; } = true;
    public bool EscapeWhitespaces { get; init; } = true;
    public bool TreatWhitespaceAsSuffix { get; init; }

    // Field numbers of sentencepiece_model.proto.
    private const int ModelPieces = 1, ModelTrainerSpec = 2, ModelNormalizerSpec = 3;
    private const int PieceText = 1, PieceScore = 2, PieceType = 3;
    private const int TrainerModelType = 3, TrainerVocabSize = 4, TrainerWhitespaceAsSuffix = 24, TrainerByteFallback = 35,
        TrainerUnkId = 40, TrainerBosId = 41, TrainerEosId = 42, TrainerPadId = 43;
    private const int NormalizerNameField = 1, NormalizerCharsMap = 2, NormalizerDummyPrefix = 3, NormalizerRemoveWhitespaces = 4, NormalizerEscapeWhitespaces = 5;

    /// <exception cref="PeftSharpException">The bytes are not a SentencePiece model.</exception>
    public static SentencePieceModelProto Parse(byte[] bytes, string source)
    {
        try
        {
            var pieces = new List<(string, float, int)>();
            var model = new SentencePieceModelProto { Pieces = pieces };
            var input = new CodedInputStream(bytes);
            for (uint tag; (tag = input.ReadTag()) != 0;)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case ModelPieces when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                        pieces.Add(ReadPiece(input.ReadBytes()));
                        break;
                    case ModelTrainerSpec when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                        model = ReadTrainerSpec(input.ReadBytes(), model);
                        break;
                    case ModelNormalizerSpec when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                        model = ReadNormalizerSpec(input.ReadBytes(), model);
                        break;
                    default:
                        input.SkipLastField();
                        break;
                }
            }
            return pieces.Count > 0 ? model : throw new PeftSharpException($"{source}: a SentencePiece model without pieces");
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new PeftSharpException($"{source}: not a readable SentencePiece model ({e.Message})", e);
        }
    }

    private static (string, float, int) ReadPiece(ByteString bytes)
    {
        string piece = "";
        float score = 0;
        int type = 1; // NORMAL
        var input = bytes.CreateCodedInput();
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case PieceText: piece = input.ReadString(); break;
                case PieceScore: score = input.ReadFloat(); break;
                case PieceType: type = input.ReadEnum(); break;
                default: input.SkipLastField(); break;
            }
        }
        return (piece, score, type);
    }

    private static SentencePieceModelProto ReadTrainerSpec(ByteString bytes, SentencePieceModelProto model)
    {
        var input = bytes.CreateCodedInput();
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            model = WireFormat.GetTagFieldNumber(tag) switch
            {
                TrainerModelType => model with { ModelType = input.ReadEnum() },
                TrainerByteFallback => model with { ByteFallback = input.ReadBool() },
                TrainerWhitespaceAsSuffix => model with { TreatWhitespaceAsSuffix = input.ReadBool() },
                TrainerUnkId => model with { UnkId = input.ReadInt32() },
                TrainerBosId => model with { BosId = input.ReadInt32() },
                TrainerEosId => model with { EosId = input.ReadInt32() },
                TrainerPadId => model with { PadId = input.ReadInt32() },
                _ => Skip(input, model),
            };
        }
        return model;
    }

    private static SentencePieceModelProto ReadNormalizerSpec(ByteString bytes, SentencePieceModelProto model)
    {
        var input = bytes.CreateCodedInput();
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            model = WireFormat.GetTagFieldNumber(tag) switch
            {
                NormalizerNameField => model with { NormalizerName = input.ReadString() },
                NormalizerCharsMap => model with { HasCharsMap = input.ReadBytes().Length > 0 },
                NormalizerDummyPrefix => model with { AddDummyPrefix = input.ReadBool() },
                NormalizerRemoveWhitespaces => model with { RemoveExtraWhitespaces = input.ReadBool() },
                NormalizerEscapeWhitespaces => model with { EscapeWhitespaces = input.ReadBool() },
                _ => Skip(input, model),
            };
        }
        return model;
    }

    private static SentencePieceModelProto Skip(CodedInputStream input, SentencePieceModelProto model)
    {
        input.SkipLastField();
        return model;
    }

    /// <summary>The model as protobuf bytes; every listed field is written, defaults included.</summary>
    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        foreach (var (piece, score, type) in Pieces)
            WriteMessage(output, ModelPieces, o =>
            {
                o.WriteTag(PieceText, WireFormat.WireType.LengthDelimited); o.WriteString(piece);
                o.WriteTag(PieceScore, WireFormat.WireType.Fixed32); o.WriteFloat(score);
                o.WriteTag(PieceType, WireFormat.WireType.Varint); o.WriteEnum(type);
            });
        WriteMessage(output, ModelTrainerSpec, o =>
        {
            o.WriteTag(TrainerModelType, WireFormat.WireType.Varint); o.WriteEnum(ModelType);
            o.WriteTag(TrainerVocabSize, WireFormat.WireType.Varint); o.WriteInt32(Pieces.Count);
            o.WriteTag(TrainerWhitespaceAsSuffix, WireFormat.WireType.Varint); o.WriteBool(TreatWhitespaceAsSuffix);
            o.WriteTag(TrainerByteFallback, WireFormat.WireType.Varint); o.WriteBool(ByteFallback);
            o.WriteTag(TrainerUnkId, WireFormat.WireType.Varint); o.WriteInt32(UnkId);
            o.WriteTag(TrainerBosId, WireFormat.WireType.Varint); o.WriteInt32(BosId);
            o.WriteTag(TrainerEosId, WireFormat.WireType.Varint); o.WriteInt32(EosId);
            o.WriteTag(TrainerPadId, WireFormat.WireType.Varint); o.WriteInt32(PadId);
        });
        WriteMessage(output, ModelNormalizerSpec, o =>
        {
            o.WriteTag(NormalizerNameField, WireFormat.WireType.LengthDelimited); o.WriteString(NormalizerName ?? "identity");
            o.WriteTag(NormalizerDummyPrefix, WireFormat.WireType.Varint); o.WriteBool(AddDummyPrefix);
            o.WriteTag(NormalizerRemoveWhitespaces, WireFormat.WireType.Varint); o.WriteBool(RemoveExtraWhitespaces);
            o.WriteTag(NormalizerEscapeWhitespaces, WireFormat.WireType.Varint); o.WriteBool(EscapeWhitespaces);
        });
        output.Flush();
        return buffer.ToArray();
    }

    private static void WriteMessage(CodedOutputStream output, int field, Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        var inner = new CodedOutputStream(buffer);
        write(inner);
        inner.Flush();
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(buffer.ToArray()));
    }
}
