#!/usr/bin/env python3
"""Writes the small hand-made data fixtures of tests/PeftSharp.Tests/fixtures/data/.

Each GLUE file follows the layout of the official GLUE TSV of its task (header names, column
count, label spelling); rows are short made-up examples with the awkward characters real files
have (unbalanced quotes, apostrophes, non-ASCII). The expected records are written out by hand
in tests/PeftSharp.Tests/Data/*Tests.cs, not derived from these files.

Run from the repository root: python3 tools/data/make_fixtures.py
"""
import json
import os

OUT = os.path.join("tests", "PeftSharp.Tests", "fixtures", "data")


def write(rel, text, bom=False):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        if bom:
            f.write(b"\xef\xbb\xbf")
        f.write(text.encode("utf-8"))


def tsv(rows):
    return "".join("\t".join(r) + "\n" for r in rows)


# CoLA: train/dev have no header (source, label, original annotation, sentence); test has one.
write("glue/CoLA/train.tsv", tsv([
    ["gj04", "1", "", "Our friends won't buy this analysis, let alone the next one we propose."],
    ["gj04", "0", "*", "They drank the pub."],
    ["clc95", "1", "", 'The "book" was read by "everyone.'],
]))
write("glue/CoLA/test.tsv", tsv([
    ["index", "sentence"],
    ["0", "Bill whistled past the house."],
    ["1", "The car honked its way down the road."],
]))

# SST-2: "sentence label"; test "index sentence". Quotes are plain characters (no CSV quoting).
write("glue/SST-2/train.tsv", tsv([
    ["sentence", "label"],
    ["hide new secretions from the parental units ", "0"],
    ['" a movie that \'s so " good ', "1"],
    ["the greatest musicians ", "1"],
]))
write("glue/SST-2/test.tsv", tsv([
    ["index", "sentence"],
    ["0", "uneasy mishmash of styles and genres ."],
]))

# MRPC: the Microsoft files start with a UTF-8 BOM.
write("glue/MRPC/train.tsv", tsv([
    ["Quality", "#1 ID", "#2 ID", "#1 String", "#2 String"],
    ["1", "702876", "702977", 'Amrozi accused his brother , whom he called " the witness " , of deliberately distorting his evidence .',
     'Referring to him as only " the witness " , Amrozi accused his brother of deliberately distorting his evidence .'],
    ["0", "2108705", "2108831", "Yucaipa owned Dominick 's before selling the chain to Safeway in 1998 for $ 2.5 billion .",
     "Yucaipa bought Dominick 's in 1995 for $ 693 million and sold it to Safeway for $ 1.8 billion in 1998 ."],
]), bom=True)
write("glue/MRPC/test.tsv", tsv([
    ["index", "#1 ID", "#2 ID", "#1 String", "#2 String"],
    ["0", "1089874", "1089925", "PCCW 's chief operating officer , Mike Butcher , and Alex Arena , the chief financial officer , will report directly to Mr So .",
     "Current Chief Operating Officer Mike Butcher and Group Chief Financial Officer Alex Arena will report to So ."],
]))

# QQP: line 3 is a malformed row (the question holds a line break, splitting the row in two);
# HF's glue script skips both halves, as does the reader.
write("glue/QQP/train.tsv",
      tsv([["id", "qid1", "qid2", "question1", "question2", "is_duplicate"],
           ["133273", "213221", "213222", "How is the life of a math student? Could you describe your own experiences?",
            "Which level of prepration is enough for the exam jlpt5?", "0"]])
      + "201841\t303951\t174364\tHow can I \"learn\n"
      + "\" faster?\tHow do I learn faster?\t1\n"
      + tsv([["402555", "536040", "536041", "How do I control my horny emotions?", "How do you control your horniness?", "1"]]))
write("glue/QQP/test.tsv", tsv([
    ["id", "question1", "question2"],
    ["0", "Why am I mentally very lonely? How can I solve it?", "Find the remainder when [math]23^{24}[/math] is divided by 24,23?"],
]))

# STS-B: 10 columns, score last; the test file has no score column.
STSB = ["index", "genre", "filename", "year", "old_index", "source1", "source2", "sentence1", "sentence2"]
write("glue/STS-B/train.tsv", tsv([
    STSB + ["score"],
    ["0", "main-captions", "MSRvid", "2012test", "0001", "none", "none", "A plane is taking off.", "An air plane is taking off.", "5.000"],
    ["1", "main-captions", "MSRvid", "2012test", "0004", "none", "none", "A man is playing a large flute.", "A man is playing a flute.", "3.800"],
    ["2", "main-news", "headlines", "2013", "0005", "none", "none", "Café prices rise", "Prices of coffee go up", "0.333"],
]))
write("glue/STS-B/test.tsv", tsv([
    STSB,
    ["0", "main-captions", "MSRvid", "2012test", "0024", "none", "none", "A girl is styling her hair.", "A girl is brushing her hair."],
]))

# MNLI: many columns; sentence1/sentence2 by name, gold_label last; dev files have label1..label5.
MNLI = ["index", "promptID", "pairID", "genre", "sentence1_binary_parse", "sentence2_binary_parse",
        "sentence1_parse", "sentence2_parse", "sentence1", "sentence2"]
write("glue/MNLI/train.tsv", tsv([
    MNLI + ["label1", "gold_label"],
    ["0", "31193", "31193n", "government", "( ( Conceptually ( cream skimming ) ) ...", "( ( ( Product and ) geography ) ...",
     "(ROOT (S ...", "(ROOT (S ...", "Conceptually cream skimming has two basic dimensions - product and geography.",
     "Product and geography are what make cream skimming work. ", "neutral", "neutral"],
    ["1", "101457", "101457e", "telephone", "( you ...", "( You ...", "(ROOT ...", "(ROOT ...",
     "you know during the season and i guess at at your level uh you lose them to the next level",
     "You lose the things to the following level if the people recall.", "entailment", "entailment"],
    ["2", "134793", "134793c", "fiction", "( ( One ...", "( ( Some ...", "(ROOT ...", "(ROOT ...",
     'One of our number will carry out your instructions minutely ."',
     "A member of my team will execute your orders with immense precision.", "contradiction", "contradiction"],
]))
write("glue/MNLI/dev_matched.tsv", tsv([
    MNLI + ["label1", "label2", "label3", "label4", "label5", "gold_label"],
    ["0", "63735", "63735n", "slate", "( ...", "( ...", "(ROOT ...", "(ROOT ...",
     "The new rights are nice enough", "Everyone really likes the newest benefits ",
     "neutral", "entailment", "neutral", "neutral", "neutral", "neutral"],
]))
write("glue/MNLI/test_matched.tsv", tsv([
    MNLI,
    ["0", "31493", "31493", "travel", "( ...", "( ...", "(ROOT ...", "(ROOT ...",
     "Hierbas, ans seco, ans dulce, and frigola are just a few names worth keeping a look-out for.",
     "Hierbas is a name worth looking out for."],
]))

# QNLI: "index question sentence label" with string labels.
write("glue/QNLI/train.tsv", tsv([
    ["index", "question", "sentence", "label"],
    ["0", "When did the third Digimon series begin?", "Unlike the two seasons before it and most of the seasons that followed, Digimon Tamers takes a darker and more realistic approach to its story featuring Digimon who do not reincarnate after their deaths and more complex character development in the original Japanese.", "not_entailment"],
    ["1", "Which missile batteries often have individual launchers several kilometres from one another?", "When MANPADS is operated by specialists, batteries may have several dozen teams deploying separately in small sections; self-propelled air defence guns may deploy in pairs.", "entailment"],
]))
write("glue/QNLI/test.tsv", tsv([
    ["index", "question", "sentence"],
    ["0", "What organization is devoted to Jihad against Israel?", "For some decades prior to the First Palestine Intifada in 1987, the Muslim Brotherhood in Palestine took a \"quiescent\" stance towards Israel."],
]))

# RTE: string labels; WNLI: same columns, 0/1 labels (1 = entailment).
write("glue/RTE/train.tsv", tsv([
    ["index", "sentence1", "sentence2", "label"],
    ["0", "No Weapons of Mass Destruction Found in Iraq Yet.", "Weapons of Mass Destruction Found in Iraq.", "not_entailment"],
    ["1", "A place of sorrow, after Pope John Paul II died, became a place of celebration.", "Pope Benedict XVI is the new leader of the Roman Catholic Church.", "entailment"],
]))
write("glue/RTE/test.tsv", tsv([
    ["index", "sentence1", "sentence2"],
    ["0", "Mangla was summoned after Madhumita's sister Nidhi Shukla, who was the first witness in the case.", "Shukla is related to Mangla."],
]))
write("glue/WNLI/train.tsv", tsv([
    ["index", "sentence1", "sentence2", "label"],
    ["0", "I stuck a pin through a carrot. When I pulled the pin out, it had a hole.", "The carrot had a hole.", "1"],
    ["1", "John couldn't see the stage with Billy in front of him because he is so short.", "John is so short.", "1"],
    ["2", "The police arrested all of the gang members. They were trying to stop the drug trade in the neighborhood.", "The police were trying to stop the drug trade in the neighborhood.", "0"],
]))

# E2E official CSV: quoted fields holding commas, doubled quotes and a line break.
write("e2e/trainset.csv",
      'mr,ref\n'
      '"name[The Vaults], eatType[pub], priceRange[more than £30], customerRating[5 out of 5], near[Café Adriatic]",'
      '"The Vaults pub near Café Adriatic has a 5 star rating.  Prices start at £30."\n'
      '"name[The Cambridge Blue], eatType[pub], food[English], priceRange[cheap], near[Café Brazil]",'
      '"Close to Café Brazil, The Cambridge Blue pub serves delicious Tuscan Beef for the cheap price of £10.50. ""Delicious"" Pub food."\n'
      '"name[The Vaults], eatType[pub], priceRange[more than £30], customerRating[5 out of 5], near[Café Adriatic]",'
      '"The Vaults pub,\nnear Café Adriatic, is rated 5 out of 5."\n')
write("e2e/testset.csv",
      'MR\n'
      '"name[Blue Spice], eatType[coffee shop], area[city centre]"\n'
      '"name[Blue Spice], eatType[coffee shop], area[riverside]"\n')
# LoRA repository layout: "MR||reference", the MR repeated once per reference.
write("e2e/test.txt",
      "name : Blue Spice | Type : coffee shop | area : city centre||A coffee shop in the city centre area called Blue Spice .\n"
      "name : Blue Spice | Type : coffee shop | area : riverside||Blue Spice is a coffee shop by the riverside .\n"
      "name : Blue Spice | Type : coffee shop | area : city centre||Blue Spice is a coffee shop in the city centre .\n")

# Commonsense: a JSON list as in commonsense_170k.json / dataset/<task>/test.json.
entries = [
    {"instruction": "Please answer the following question with true or false, question: do iran and afghanistan speak the same language?\n\nAnswer format: true/false",
     "input": "", "output": "the correct answer is true", "answer": "true"},
    {"instruction": "Please choose the correct solution to the question: When boiling butter, when it's ready, you can\n\nSolution1: Pour it onto a plate\n\nSolution2: Pour it into a jar\n\nAnswer format: solution1/solution2",
     "input": "", "output": "the correct answer is solution2", "answer": "solution2"},
]
write("commonsense/train.json", json.dumps(entries, indent=4))
write("commonsense/boolq_test.json", json.dumps([entries[0]], indent=4))

# JSONL, one file per format.
write("jsonl/token_ids.jsonl", '{"input_ids": [5, 6, 7], "labels": [-100, 6, 7]}\n{"input_ids": [8, 9]}\n\n{"input_ids": [1], "labels": null, "id": "x"}\n')
write("jsonl/text.jsonl", '{"text": "Hello world"}\n{"text": "caf\\u00e9 \\"quoted\\""}\n')
write("jsonl/prompt_completion.jsonl", '{"prompt": "Q: 2+2?\\nA:", "completion": " 4"}\n')
write("jsonl/pairs.jsonl", '{"sentence1": "A man plays.", "sentence2": "A person plays.", "label": 0}\n{"sentence1": "x", "sentence2": "y", "label": 2, "idx": 7}\n')
