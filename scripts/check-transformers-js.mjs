// The transformers.js side of scripts/check-transformers-js.sh (see there). Two commands:
//   node check-transformers-js.mjs tokenizer DIR VOCAB_SIZE SPECIALS_JSON [TEMPLATE_JSON]
//       writes DIR/tokenizer.json and DIR/tokenizer_config.json: a WordPiece tokenizer whose words "w0" ... are the
//       ids 0 ... VOCAB_SIZE-1, split on whitespace; SPECIALS_JSON names the special ids, e.g.
//       {"pad":99,"eos":98,"bos":98,"unk":99}, spelled <pad>, <eos>, ... (the first role of an id);
//       TEMPLATE_JSON, e.g. ["bos","eos"], puts the first token before every text and the others after it (null:
//       none before).
//   node check-transformers-js.mjs run MODELS_DIR FIXTURES_JSON
//       (copied into a folder where @huggingface/transformers is installed, run there) loads every exported model
//       folder of MODELS_DIR as a local model and prints one line per check: PASS, FAIL or SKIP, a name, details.
import fs from 'node:fs';
import path from 'node:path';

const [command, ...args] = process.argv.slice(2);

if (command === 'tokenizer') {
    writeTokenizer(...args);
} else if (command === 'run') {
    await run(...args);
} else {
    console.error('usage: check-transformers-js.mjs tokenizer DIR VOCAB SPECIALS [TEMPLATE] | run MODELS FIXTURES');
    process.exit(2);
}

function writeTokenizer(dir, vocabSize, specialsJson, templateJson = '[]') {
    const specials = JSON.parse(specialsJson);
    const template = JSON.parse(templateJson);
    // a special id is spelled <role> (the first role naming it), so that no text of words contains it
    const spelling = new Map();
    for (const [role, id] of Object.entries(specials)) {
        if (!spelling.has(id)) spelling.set(id, `<${role}>`);
    }
    const vocab = {};
    for (let id = 0; id < Number(vocabSize); id++) vocab[spelling.get(id) ?? `w${id}`] = id;
    const addedTokens = [];
    for (const [id, content] of spelling) {
        addedTokens.push({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false,
            special: true });
    }
    const word = (role) => spelling.get(specials[role]);
    let postProcessor = null;
    if (template.length > 0) {
        const piece = (role) => ({ SpecialToken: { id: word(role), type_id: 0 } });
        const single = [...(template[0] === null ? [] : [piece(template[0])]), { Sequence: { id: 'A', type_id: 0 } },
            ...template.slice(1).map(piece)];
        const specialTokens = {};
        for (const role of template.filter((role) => role !== null)) {
            specialTokens[word(role)] = { id: word(role), ids: [specials[role]], tokens: [word(role)] };
        }
        postProcessor = { type: 'TemplateProcessing', single, pair: single, special_tokens: specialTokens };
    }
    const tokenizer = {
        version: '1.0', truncation: null, padding: null, added_tokens: addedTokens, normalizer: null,
        pre_tokenizer: { type: 'WhitespaceSplit' }, post_processor: postProcessor,
        decoder: { type: 'WordPiece', prefix: '##', cleanup: false },
        model: { type: 'WordPiece', unk_token: word('unk'), continuing_subword_prefix: '##',
            max_input_chars_per_word: 100, vocab },
    };
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
    const config = { tokenizer_class: 'PreTrainedTokenizerFast', model_max_length: 64,
        clean_up_tokenization_spaces: false };
    for (const role of Object.keys(specials)) config[`${role}_token`] = word(role);
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(config, null, 2) + '\n');
}

/** The tensors of a safetensors file (F32 and I64 only), by name: { dtype, shape, data }. */
function readSafetensors(file) {
    const bytes = fs.readFileSync(file);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
    const tensors = {};
    for (const [name, info] of Object.entries(header)) {
        if (name === '__metadata__') continue;
        const [start, end] = info.data_offsets;
        const raw = bytes.subarray(8 + headerLength + start, 8 + headerLength + end);
        const copy = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length);
        const data = info.dtype === 'F32' ? new Float32Array(copy)
            : info.dtype === 'I64' ? new BigInt64Array(copy) : null;
        if (data === null) throw new Error(`${file}: ${name} is ${info.dtype}; only F32 and I64 are read`);
        tensors[name] = { dtype: info.dtype, shape: info.shape, data };
    }
    return tensors;
}

function maxAbsDiff(a, b) {
    if (a.length !== b.length) return Infinity;
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
    return max;
}

async function run(modelsDir, fixturesJson) {
    const transformers = await import('@huggingface/transformers');
    const { pipeline, env } = transformers;
    const version = env.version ?? JSON.parse(fs.readFileSync(
        new URL('./node_modules/@huggingface/transformers/package.json', import.meta.url))).version;
    env.localModelPath = modelsDir;
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    const fixtures = JSON.parse(fixturesJson);
    const tag = `transformers.js ${version}`;
    const report = (status, name, detail) => console.log(`${status} [${tag}] ${name}: ${detail}`);
    const present = (name) => fs.existsSync(path.join(modelsDir, name, 'config.json'));
    const greedy = { max_new_tokens: 8, do_sample: false };

    // text generation: a left-padded batch gives each prompt the tokens it gets alone
    for (const name of ['gpt2', 'llama', 'gpt2-optimum-1.5-control']) {
        if (!present(name)) {
            report('SKIP', `text-generation ${name}`, `no export in ${modelsDir}/${name} (see the export step)`);
            continue;
        }
        const control = name.endsWith('-control');
        try {
            const generator = await pipeline('text-generation', name);
            const prompts = ['w5 w17 w33 w41 w7', 'w12 w3'];
            const batch = (await generator(prompts, greedy)).map((out) => out[0].generated_text);
            // the pipeline pads on the left for generation (it sets the tokenizer's padding_side)
            const padded = generator.tokenizer(prompts, { padding: true });
            const leftPadded = Number(padded.attention_mask.tolist()[1][0]) === 0;
            const alone = [];
            for (const prompt of prompts) alone.push((await generator(prompt, greedy))[0].generated_text);
            const same = batch.every((text, i) => text === alone[i]);
            const detail = `batch ${JSON.stringify(batch)} vs alone ${JSON.stringify(alone)}`
                + (leftPadded ? ' (batch left-padded)' : ' (batch NOT left-padded)');
            if (control) {
                // Optimum v1.5.2's interface has no position_ids: positions run over the padding, so the padded
                // row must differ. Shows that the comparison above can fail.
                report(same ? 'FAIL' : 'PASS', `control: optimum-1.5 layout of gpt2 moved under onnx/ differs`,
                    detail);
            } else {
                report(same && leftPadded ? 'PASS' : 'FAIL', `text-generation ${name} left-padded batch`, detail);
            }
        } catch (error) {
            report('FAIL', `text-generation ${name}`, String(error?.stack ?? error).split('\n').slice(0, 3).join(' | '));
        }
    }

    // text2text generation (t5): runs, and a padded batch gives each input what it gets alone
    if (!present('t5')) {
        report('SKIP', 'text2text-generation t5', `no export in ${modelsDir}/t5 (see the export step)`);
    } else {
        try {
            const generator = await pipeline('text2text-generation', 't5');
            const inputs = ['w5 w17 w33 w41 w7', 'w12 w3'];
            const batch = (await generator(inputs, greedy)).map((out) => out.generated_text);
            const alone = [];
            for (const input of inputs) alone.push((await generator(input, greedy))[0].generated_text);
            const same = batch.every((text, i) => text === alone[i]);
            report(same && batch.every((text) => text.length > 0) ? 'PASS' : 'FAIL', 'text2text-generation t5',
                `batch ${JSON.stringify(batch)} vs alone ${JSON.stringify(alone)}`);
        } catch (error) {
            report('FAIL', 'text2text-generation t5', String(error?.stack ?? error).split('\n').slice(0, 3).join(' | '));
        }
    }

    // feature extraction (BERT-style MPNet): the pipeline's hidden states equal PyTorch's on the fixture's tokens
    if (!present('mpnet')) {
        report('SKIP', 'feature-extraction mpnet', `no export in ${modelsDir}/mpnet (see the export step)`);
    } else {
        try {
            const fixture = fixtures.mpnet;
            const expected = readSafetensors(path.join(fixture, 'outputs.safetensors')).last_hidden_state;
            const fixtureIds = readSafetensors(path.join(fixture, 'inputs.safetensors')).input_ids;
            const extractor = await pipeline('feature-extraction', 'mpnet');
            // the fixture's rows are <s> words </s> [<pad>]: the texts of their words, through the tokenizer
            const [batch, length] = fixtureIds.shape;
            const texts = [];
            for (let row = 0; row < batch; row++) {
                const ids = Array.from(fixtureIds.data.slice(row * length, (row + 1) * length), Number);
                const words = ids.slice(1, ids.lastIndexOf(2)).map((id) => `w${id}`);
                texts.push(words.join(' '));
            }
            const tokens = extractor.tokenizer(texts, { padding: true });
            const sameTokens = JSON.stringify(tokens.input_ids.tolist().flat().map(Number))
                === JSON.stringify(Array.from(fixtureIds.data, Number));
            const output = await extractor(texts, { pooling: 'none' });
            const diff = maxAbsDiff(output.data, expected.data);
            const ok = sameTokens && JSON.stringify(output.dims) === JSON.stringify(expected.shape) && diff <= 1e-4;
            report(ok ? 'PASS' : 'FAIL', 'feature-extraction mpnet vs PyTorch',
                `last_hidden_state ${JSON.stringify(output.dims)}, max abs diff ${diff.toExponential(2)} (atol 1e-4)`
                + (sameTokens ? ', tokens = the fixture\'s' : ', tokens differ from the fixture\'s'));
            const pooled = await extractor(texts, { pooling: 'mean', normalize: true });
            report(pooled.dims.join('x') === `${batch}x${expected.shape[2]}` ? 'PASS' : 'FAIL',
                'feature-extraction mpnet mean pooling', `embeddings ${JSON.stringify(pooled.dims)}`);
        } catch (error) {
            report('FAIL', 'feature-extraction mpnet', String(error?.stack ?? error).split('\n').slice(0, 3).join(' | '));
        }
    }
}
