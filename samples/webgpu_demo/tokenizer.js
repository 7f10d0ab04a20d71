// A byte-level BPE tokenizer (GPT-2 style, as SmolLM2 uses) read from a Hugging Face tokenizer.json.
// Small on purpose: it shows what "tokenize" means. Libraries such as transformers.js do the same, and more.

const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

// GPT-2 maps every byte to a printable character so a token is always a visible string.
function bytesToUnicode() {
  const bytes = [];
  for (let b = 33; b <= 126; b++) bytes.push(b);
  for (let b = 161; b <= 172; b++) bytes.push(b);
  for (let b = 174; b <= 255; b++) bytes.push(b);
  const chars = bytes.slice();
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    if (!bytes.includes(b)) { bytes.push(b); chars.push(256 + extra++); }
  }
  const map = new Map();
  bytes.forEach((b, i) => map.set(b, String.fromCodePoint(chars[i])));
  return map;
}

export class Tokenizer {
  constructor(json) {
    this.vocab = new Map(Object.entries(json.model.vocab));
    this.idToToken = new Map([...this.vocab].map(([token, id]) => [id, token]));
    this.ranks = new Map(json.model.merges.map((m, i) => [Array.isArray(m) ? m.join(' ') : m, i]));
    this.special = new Map(json.added_tokens.filter(t => t.special).map(t => [t.content, t.id]));
    for (const [content, id] of this.special) this.idToToken.set(id, content);
    this.byteChar = bytesToUnicode();
    this.charByte = new Map([...this.byteChar].map(([b, c]) => [c, b]));
    this.splitDigits = JSON.stringify(json.pre_tokenizer ?? {}).includes('"individual_digits":true');
    this.cache = new Map();
  }

  /** Text -> token ids. Special tokens such as <|im_start|> are matched first and never split. */
  encode(text) {
    const ids = [];
    const specials = [...this.special.keys()].map(s => s.replace(/[|\\{}()[\]^$+*?.]/g, '\\$&'));
    const parts = specials.length ? text.split(new RegExp(`(${specials.join('|')})`)) : [text];
    for (const part of parts) {
      if (!part) continue;
      if (this.special.has(part)) { ids.push(this.special.get(part)); continue; }
      for (const word of this.preTokenize(part)) ids.push(...this.bpe(word));
    }
    return ids;
  }

  preTokenize(text) {
    const pieces = this.splitDigits ? text.split(/(\p{N})/u).filter(Boolean) : [text];
    return pieces.flatMap(piece => piece.match(GPT2_SPLIT) ?? []);
  }

  /** One pre-token -> ids: start from single bytes, merge the best-ranked adjacent pair until none applies. */
  bpe(word) {
    if (this.cache.has(word)) return this.cache.get(word);
    let symbols = [...new TextEncoder().encode(word)].map(b => this.byteChar.get(b));
    while (symbols.length > 1) {
      let best = -1, bestRank = Infinity;
      for (let i = 0; i < symbols.length - 1; i++) {
        const rank = this.ranks.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (rank !== undefined && rank < bestRank) { best = i; bestRank = rank; }
      }
      if (best < 0) break;
      symbols = [...symbols.slice(0, best), symbols[best] + symbols[best + 1], ...symbols.slice(best + 2)];
    }
    const ids = symbols.map(s => this.vocab.get(s));
    this.cache.set(word, ids);
    return ids;
  }

  /** Token id -> its bytes (a token can end in the middle of a UTF-8 character: decode with a stream). */
  tokenBytes(id) {
    const token = this.idToToken.get(id) ?? '';
    if (this.special.has(token)) return new TextEncoder().encode(token);
    return Uint8Array.from([...token].map(c => this.charByte.get(c)));
  }
}
