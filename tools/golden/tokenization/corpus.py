"""The adversarial corpus of the tokenization golden set: several thousand lines, deterministic (seeded), by category.

Each line is one text to encode (it may contain newlines, tabs and any code point but surrogates). Categories: prose,
code with indentation, runs of one character (`____`, `------`, `    `), numbers, URLs and e-mail addresses, emoji
(ZWJ sequences, skin tones, flags), scripts (CJK, Hangul, Arabic, Hebrew, Devanagari, Thai, Greek, Cyrillic),
composed and decomposed forms (NFC/NFD), control, format, private-use and unassigned characters, whitespace variants,
compatibility characters (full-width letters, ligatures, math letters), special-token strings and near misses,
single characters, random mixtures, and long inputs.
"""
import json
import random

WORDS = ("the of and to in is was for on that with as by it at from his an were are which be this has also or had not "
         "first one their its new after but who they two her been other when there all during into school time may "
         "years more most only over city some world would where later up such used many can state about national out "
         "known university united then made however between american team under where three while film century game "
         "Hello World Tokenizer tokenization retrained unaffable don't won't I'm we'll they've she'd it's y'all "
         "naïve café résumé Zürich São Paulo Straße Größe Ärger œuvre façade coöperate Ångström fiancée").split()

SCRIPTS = [
    "中文字符和日本語のテキスト", "机器学习是人工智能的一个分支。", "東京都渋谷区", "ひらがなとカタカナ", "한국어 텍스트입니다",
    "العربية لغة جميلة", "مرحبا بالعالم ١٢٣", "עברית היא שפה", "हिन्दी भाषा में पाठ", "नमस्ते दुनिया", "ภาษาไทยง่ายนิดเดียว",
    "Ελληνικά και Русский", "Привет, мир!", "Καλημέρα κόσμε", "Tiếng Việt có dấu", "Ողջույն", "გამარჯობა", "ᠮᠣᠩᠭᠣᠯ",
    "𠀀𠀁𪚥 rare ideographs", "ᄒᆞᆫ글 jamo", "ꦧꦱꦗꦮ", "ᐃᓄᒃᑎᑐᑦ",
]
EMOJI = ["😀", "🚀", "👍🏽", "❤️", "🇫🇷", "🇯🇵", "👨‍👩‍👧", "🏳️‍🌈", "🦙", "🫠", "🧑🏿‍💻", "✌🏻", "☃", "⚡", "🤖", "🥲", "1️⃣", "©️", "🐈‍⬛"]
SPECIAL = ["<s>", "</s>", "<unk>", "<pad>", "<mask>", "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]", "<|endoftext|>",
           "<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>", "<|start_header_id|>", "<|end_header_id|>"]
NEAR_MISSES = ["<s", "s>", "</ s>", "<S>", "[cls]", "[CLS", "CLS]", "<|endoftext|", "|endoftext|>", "<|endof", "<<s>>",
               "[[MASK]]", "<mask >", "<|begin_of_text|><|begin_of_text|>"]
ODD = ["\u0000", "\u0001", "\u0008", "\u000b", "\u000c", "\u001b", "\u001f", "\u007f", "\u0085", "\u00ad", "\u0600",
       "\u061c", "\u180e", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2028", "\u2029", "\u202e", "\u2060",
       "\u2066", "\ufeff", "\ufff9", "\ufffc", "\ufffd", "\ue000", "\uf8ff", "\U000f0000", "\U0010fffd", "\u0378",
       "\u0870", "\u2fff", "\U0001fbfa", "\U000e0001", "\U000e0041", "\ufffe", "\uffff", "\U0001ffff"]
SPACES = [" ", "  ", "   ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r", "\u00a0", "\u2009", "\u3000", "\u1680", "\u205f",
          " \n ", "\u00a0\u00a0", "\u2002", "\u202f"]
COMPAT = ["ﬁ", "ﬂ", "ﬀ", "ﬃ", "Ａ", "ｂ", "１２３", "ＡＢＣ", "ｶﾀｶﾅ", "㍿", "℃", "№", "™", "½", "²", "ⅷ", "Ⅻ", "𝔘𝔫𝔦", "𝟙𝟚𝟛",
          "𝐀𝐁𝐂", "ℌ", "Å", "Ω", "ǅ", "ŉ", "ẞ", "İ", "ı", "ß", "ς", "Σ", "ΐ", "ﾞ", "゛", "…", "‥", "⁇", "«»", "“”", "‘’"]
DECOMPOSED = ["e\u0301", "a\u0300\u0301", "n\u0303", "A\u030a", "o\u0308\u0304", "\u1100\u1161\u11a8", "c\u0327",
              "i\u0307", "u\u031b\u0303", "Z\u0335\u0338", "\u0915\u094d\u0937"]
CODE = [
    "def f(x):\n    return x * 2\n",
    "    if (a == b) {\n        return;\n    }",
    "\tfor (int i = 0; i < n; i++) { sum += a[i]; }",
    "class A:\n\tdef __init__(self):\n\t\tself.x = 1",
    "x = [1, 2, 3]  # comment",
    "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 42); }",
    "SELECT * FROM t WHERE id >= 1000 AND name LIKE '%foo%';",
    "const re = /^[a-z]+$/gi; // regex",
    "if __name__ == \"__main__\":\n    main()",
    "        deeply.indented(call)",
    "a && b || !c ?? d ?: e",
    "0x1F 0b1010 1e-5 3.14159 1_000_000",
    "std::vector<std::string> v{\"a\", \"b\"};",
    "<div class=\"x\">&nbsp;&amp;</div>",
    "$ ls -la | grep '^d' > out.txt 2>&1",
]
URLS = ["https://fsf.org", "https://example.org/path?query=1&x=2#frag", "http://localhost:8080/", "www.google.com",
        "ftp://files.example.com/a/b/c.tar.gz", "mailto:someone@example.com", "user.name+tag@sub.domain.co.uk",
        "https://en.wikipedia.org/wiki/Byte_pair_encoding", "file:///C:/Users/x/Documents", "git@github.com:a/b.git"]


def runs(rng):
    char = rng.choice(" _-=*.#~/\\0123456789aZ▁\t!?")
    return char * rng.choice([2, 3, 4, 5, 7, 8, 12, 16, 17, 31, 32, 64])


def number(rng):
    kind = rng.randrange(7)
    if kind == 0:
        return str(rng.randrange(10 ** rng.randrange(1, 12)))
    if kind == 1:
        return f"{rng.uniform(-1e6, 1e6):.{rng.randrange(0, 6)}f}"
    if kind == 2:
        return f"{rng.randrange(10 ** 7):,}"
    if kind == 3:
        return rng.choice(["1000", "10000", "100000", "2024", "1999", "007", "3.14", "1e-5", "-42", "+1", "½", "١٢٣", "१२३"])
    if kind == 4:
        return f"{rng.randrange(24):02d}:{rng.randrange(60):02d}"
    if kind == 5:
        return f"{rng.randrange(1, 32)}/{rng.randrange(1, 13)}/{rng.randrange(1900, 2100)}"
    return "".join(rng.choice("0123456789") for _ in range(rng.randrange(13, 40)))


def prose(rng, n=None):
    words = [rng.choice(WORDS) for _ in range(n or rng.randrange(3, 25))]
    if rng.random() < 0.5:
        words[0] = words[0].capitalize()
    text = " ".join(words)
    return text + rng.choice([".", "!", "?", "", ",", ";", "...", " —"])


def random_code_point(rng):
    while True:
        block = rng.choice([(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x52F), (0x590, 0x6FF), (0x900, 0x97F),
                            (0xE00, 0xE7F), (0x1100, 0x11FF), (0x2000, 0x206F), (0x2100, 0x2BFF), (0x3000, 0x30FF),
                            (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xE000, 0xF8FF), (0xF900, 0xFFFF), (0x1F300, 0x1FAFF),
                            (0x1D400, 0x1D7FF), (0x20000, 0x2A6DF), (0x0, 0x1F), (0x10000, 0x10FFFF)])
        cp = rng.randint(*block)
        if not 0xD800 <= cp <= 0xDFFF:
            return chr(cp)


def mixture(rng):
    parts = []
    for _ in range(rng.randrange(2, 9)):
        pick = rng.randrange(12)
        parts.append([
            lambda: prose(rng, rng.randrange(1, 6)), lambda: rng.choice(SCRIPTS), lambda: rng.choice(EMOJI),
            lambda: rng.choice(SPECIAL), lambda: rng.choice(NEAR_MISSES), lambda: rng.choice(ODD),
            lambda: rng.choice(SPACES), lambda: rng.choice(COMPAT), lambda: rng.choice(DECOMPOSED),
            lambda: number(rng), lambda: runs(rng), lambda: rng.choice(URLS),
        ][pick]())
    joiner = rng.choice(["", " ", " ", "\n", "\t"])
    return joiner.join(parts)


def build(seed=17, size=4000):
    rng = random.Random(seed)
    lines = ["", " ", "  ", "\n", "\t", "a", "A", "é", "e\u0301", "▁", "▁▁", " ▁", "▁ ", "\u3000", "ﬁ", "Ａ", "İ",
             "😀", "🦙", "\u0001", "\u007f", "\ue000", "\u0378", "1000", "____", "------", "me)))", "ns), (iii",
             "https://fsf.org", "<s>", "[MASK]", "<|endoftext|>", "Hello world", " Hello world", "Hello world ",
             "hello\nworld", "tab\tseparated\tvalues", "windows\r\nline", "don't", "DON'T", "'s 'S 'll 'LL ' s"]
    # Single characters: every printable ASCII character and one from each odd/compatibility/script list.
    lines += [chr(c) for c in range(0x20, 0x7F)]
    lines += ODD + COMPAT + EMOJI + SPECIAL + NEAR_MISSES + DECOMPOSED + SPACES
    lines += [s[0] for s in SCRIPTS]
    lines += CODE + URLS + SCRIPTS
    makers = [
        (6, lambda: prose(rng)),
        (3, lambda: rng.choice(CODE) if rng.random() < 0.3 else "\n".join(" " * rng.choice([0, 2, 4, 8, 12]) + prose(rng, 4) for _ in range(3))),
        (3, lambda: runs(rng) + rng.choice(["", " ", "x", "\n"]) + runs(rng)),
        (3, lambda: " ".join(number(rng) for _ in range(rng.randrange(1, 6)))),
        (2, lambda: rng.choice(URLS) + rng.choice(["", "/", "/a_b-c", "?q=" + number(rng)])),
        (2, lambda: "".join(rng.choice(EMOJI) for _ in range(rng.randrange(1, 6))) + rng.choice(["", " ok", "!"])),
        (3, lambda: rng.choice(SCRIPTS) + rng.choice(["", " ", "。", " 123"]) + rng.choice(SCRIPTS)),
        (2, lambda: prose(rng, 3).replace("e", rng.choice(["e\u0301", "é"])).replace("a", rng.choice(["a\u0308", "ä"]))),
        (2, lambda: prose(rng, 3) + rng.choice(ODD) + prose(rng, 2) + rng.choice(ODD)),
        (2, lambda: rng.choice(SPACES) + prose(rng, 4) + rng.choice(SPACES) + prose(rng, 2) + rng.choice(SPACES)),
        (2, lambda: " ".join(rng.choice(COMPAT) for _ in range(rng.randrange(1, 6)))),
        (3, lambda: prose(rng, 3) + rng.choice(["", " "]) + rng.choice(SPECIAL) + rng.choice(["", " "]) + prose(rng, 3)),
        (1, lambda: rng.choice(NEAR_MISSES) + rng.choice(SPECIAL) + rng.choice(NEAR_MISSES)),
        (6, lambda: mixture(rng)),
        (2, lambda: "".join(random_code_point(rng) for _ in range(rng.randrange(1, 12)))),
    ]
    weights = [w for w, _ in makers]
    while len(lines) < size - 10:
        lines.append(rng.choices(makers, weights)[0][1]())
    # Long inputs.
    for i in range(10):
        long = "\n".join(mixture(rng) if j % 3 else prose(rng, 40) for j in range(rng.randrange(20, 60)))
        lines.append(long)
    return lines


if __name__ == "__main__":
    corpus = build()
    print(len(corpus), sum(len(line) for line in corpus), "chars")
    print(json.dumps(corpus[300:310], ensure_ascii=False))
