using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PeftSharp.Tokenization.Gguf;

/// <summary>
/// The HuggingFace tokenizer files equivalent to a GGUF file's embedded tokenizer, by file name: for byte-level BPE a
/// tokenizer.json (vocabulary, merges, added tokens, the pre-tokenizer regex llama.cpp's name stands for, a template adding
/// BOS/EOS as the file says); for SentencePiece a tokenizer.model with the pieces, scores and types and the normalisation
/// llama.cpp assumes (identity, a dummy prefix space unless add_space_prefix is false, whitespace kept); and a
/// tokenizer_config.json naming the special tokens.
/// </summary>
internal static class GgufTokenizerFiles
{
    public static IReadOnlyDictionary<string, byte[]> Create(GgufVocabulary vocabulary, string source)
    {
        var files = vocabulary.Model == GgufVocabulary.BytePairModel
            ? new Dictionary<string, byte[]> { ["tokenizer.json"] = Json(TokenizerJson(vocabulary)) }
            : new Dictionary<string, byte[]> { ["tokenizer.model"] = SentencePiece(vocabulary, source).ToBytes() };
        files["tokenizer_config.json"] = Json(TokenizerConfig(vocabulary));
        return files;
    }

    private static byte[] Json(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    private static string? TokenText(GgufVocabulary v, int? id) => id is { } i ? v.Tokens[i] : null;

    private static JsonObject TokenizerConfig(GgufVocabulary v)
    {
        var config = new JsonObject
        {
            ["tokenizer_class"] = v.Model == GgufVocabulary.BytePairModel ? "PreTrainedTokenizerFast" : "LlamaTokenizer",
            ["bos_token"] = TokenText(v, v.BosId),
            ["eos_token"] = TokenText(v, v.EosId),
            ["unk_token"] = TokenText(v, v.UnknownId),
            ["pad_token"] = TokenText(v, v.PaddingId),
            ["clean_up_tokenization_spaces"] = false,
        };
        if (v.Model == GgufVocabulary.BytePairModel) config["add_prefix_space"] = false;
        else
        {
            config["add_bos_token"] = v.AddBos;
            config["add_eos_token"] = v.AddEos;
            config["legacy"] = true;
        }
        return config;
    }

    private static JsonObject TokenizerJson(GgufVocabulary v)
    {
        var vocab = new JsonObject();
        var added = new JsonArray();
        for (int id = 0; id < v.Tokens.Length; id++)
        {
            if (vocab.ContainsKey(v.Tokens[id])) continue; // a repeated string can only be reached through its first id
            vocab[v.Tokens[id]] = id;
            if (v.TokenTypes[id] is GgufVocabulary.Control or GgufVocabulary.UserDefined)
                added.Add(new JsonObject
                {
                    ["id"] = id, ["content"] = v.Tokens[id], ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
                    ["normalized"] = false, ["special"] = v.TokenTypes[id] == GgufVocabulary.Control,
                });
        }
        string pattern = PreTokenizers.Pattern(v.Pre)!;
        JsonObject ByteLevel(bool useRegex) => new() { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = useRegex };
        JsonNode preTokenizer = pattern == PreTokenizerRegex.Gpt2Pattern ? ByteLevel(true) : new JsonObject
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new JsonArray(
                new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = pattern }, ["behavior"] = "Isolated", ["invert"] = false },
                ByteLevel(false)),
        };
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = null,
            ["pre_tokenizer"] = preTokenizer,
            ["post_processor"] = v.AddBos || v.AddEos ? Template(v) : ByteLevel(true),
            ["decoder"] = ByteLevel(true),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null, ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false, ["byte_fallback"] = false,
                // llama.cpp keeps a whole pre-token that is in the vocabulary as one token for LLaMA-3 (HF: ignore_merges).
                ["ignore_merges"] = v.Pre != PreTokenizers.Gpt2 && v.Pre != PreTokenizers.Qwen2,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(v.Merges!.Select(m => (JsonNode?)m).ToArray()),
            },
        };
    }

    /// <summary>HF's TemplateProcessing adding BOS before and/or EOS after each sequence (LLaMA-3's form).</summary>
    private static JsonObject Template(GgufVocabulary v)
    {
        var specials = new JsonObject();
        JsonArray Sequence(string id, int typeId)
        {
            var pieces = new JsonArray();
            void Special(int? token)
            {
                if (token is not { } t) return;
                pieces.Add(new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = v.Tokens[t], ["type_id"] = typeId } });
                specials[v.Tokens[t]] = new JsonObject { ["id"] = v.Tokens[t], ["ids"] = new JsonArray(t), ["tokens"] = new JsonArray(v.Tokens[t]) };
            }
            Special(v.AddBos ? v.BosId : null);
            pieces.Add(new JsonObject { ["Sequence"] = new JsonObject { ["id"] = id, ["type_id"] = typeId } });
            Special(v.AddEos ? v.EosId : null);
            return pieces;
        }
        var single = Sequence("A", 0);
        var pair = new JsonArray([.. Sequence("A", 0).Select(n => n!.DeepClone()), .. Sequence("B", 1).Select(n => n!.DeepClone())]);
        return new JsonObject { ["type"] = "TemplateProcessing", ["single"] = single, ["pair"] = pair, ["special_tokens"] = specials };
    }

    private static SentencePieceModelProto SentencePiece(GgufVocabulary v, string source)
    {
        int unknown = v.UnknownId ?? Array.IndexOf(v.TokenTypes, GgufVocabulary.Unknown);
        if (unknown < 0) throw new PeftSharpException($"{source}: a SentencePiece tokenizer needs an unknown token (tokenizer.ggml.unknown_token_id)");
        return new SentencePieceModelProto
        {
            Pieces = v.Tokens.Select((t, i) => (t, v.Scores![i], v.TokenTypes[i])).ToList(),
            ModelType = SentencePieceModelProto.Bpe,
            ByteFallback = v.TokenTypes.Contains(GgufVocabulary.Byte),
            UnkId = unknown,
            BosId = v.BosId ?? -1,
            EosId = v.EosId ?? -1,
            PadId = v.PaddingId ?? -1,
            NormalizerName = "identity",
            AddDummyPrefix = v.AddSpacePrefix,
            RemoveExtraWhitespaces = false,
            EscapeWhitespaces = true,
        };
    }
}
