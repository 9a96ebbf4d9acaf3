namespace PeftSharp.Tokenization;

/// <summary>
/// Finds the special tokens of a tokenizer folder and their ids, as HF's tokenizer loading does: tokens with fixed ids
/// (tokenizer.json added_tokens, added_tokens_decoder, added_tokens.json), the role tokens (bos_token, eos_token, …)
/// named in tokenizer_config.json / special_tokens_map.json or the kind's defaults, and additional_special_tokens.
/// A role token found nowhere in the vocabulary is appended after the last id, as HF does.
/// </summary>
internal sealed class SpecialTokenResolver
{
    public static readonly string[] Roles = ["bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token"];

    private readonly Dictionary<string, AddedToken> byContent = new(StringComparer.Ordinal);
    private readonly List<AddedToken> order = [];
    private readonly Func<string, int?> modelLookup;
    private int nextId;

    /// <param name="folder">The folder's config files.</param>
    /// <param name="modelLookup">Token → id in the model vocabulary.</param>
    /// <param name="modelVocabSize">Highest model id + 1.</param>
    /// <param name="defaults">Role → token used when the config files do not name one (e.g. "unk_token" → "&lt;unk&gt;").</param>
    /// <param name="appendMissingDefaults">Also append default tokens missing from the vocabulary (DeBERTa-v3's [MASK]);
    /// otherwise a default only applies when the vocabulary has it.</param>
    public SpecialTokenResolver(TokenizerFolder folder, Func<string, int?> modelLookup, int modelVocabSize,
        IReadOnlyDictionary<string, AddedTokenSpec> defaults, bool appendMissingDefaults = false)
    {
        this.modelLookup = modelLookup;
        foreach (var token in folder.DeclaredAddedTokens()) Add(token);
        nextId = Math.Max(modelVocabSize, order.Count == 0 ? 0 : order.Max(t => t.Id) + 1);

        foreach (var role in Roles)
        {
            var spec = folder.SpecialToken(role);
            if (spec is null && defaults.TryGetValue(role, out var fallback)
                && (appendMissingDefaults || byContent.ContainsKey(fallback.Content) || modelLookup(fallback.Content) is not null))
                spec = fallback;
            if (spec is not null) RoleIds[role] = Resolve(spec).Id;
        }
        foreach (var spec in folder.AdditionalSpecialTokens()) Resolve(spec);
    }

    /// <summary>Role ("bos_token", …) → id, for the roles that have a token.</summary>
    public Dictionary<string, int> RoleIds { get; } = new();

    /// <summary>All added tokens, special ones included.</summary>
    public IReadOnlyList<AddedToken> AddedTokens => order;

    public int? Role(string role) => RoleIds.TryGetValue(role, out int id) ? id : null;

    /// <summary>Id of a token, added or in the model vocabulary.</summary>
    public int? Lookup(string content) => byContent.TryGetValue(content, out var t) ? t.Id : modelLookup(content);

    private AddedToken Resolve(AddedTokenSpec spec)
    {
        if (byContent.TryGetValue(spec.Content, out var existing))
        {
            if (!existing.Special) Add(existing with { Special = true });
            return existing;
        }
        int id = modelLookup(spec.Content) ?? nextId++;
        var token = spec.WithId(id, special: true);
        Add(token);
        return token;
    }

    private void Add(AddedToken token)
    {
        if (byContent.TryGetValue(token.Content, out var old)) order.Remove(old);
        byContent[token.Content] = token;
        order.Add(token);
    }
}
