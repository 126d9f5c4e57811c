// The site's search worker (started by hooks/search_index.py in place of Material's): it runs
// Material's own worker with two changes, made before Material sees each message.
// 1. Setup: only the documents of the page's language are indexed (mkdocs-static-i18n writes
//    both languages into one index; `keep`/`drop` are the URL prefixes of this language/the others).
// 2. Query: each word of the query is split by the index's own separator (as the index was:
//    "1-D" is indexed as "1" and "D"; bare numbers are dropped and an English query of several
//    words is also searched as one whole term, see below), and a Chinese query is cut into the words of the index, longest match first (the index
//    is segmented with jieba at build time), and each word is passed so that Material searches
//    it whole. Material's own query segmentation never takes the last character of a run into
//    a word ("学习率" becomes "学习*"), so each known word gets a sentinel character that never
//    occurs in the index (a Kangxi radical): Material then keeps exactly the word and drops the
//    sentinel.
(() => {
  const params = new URL(self.location.href).searchParams;
  const worker = new URL(params.get("worker"), self.location.href);
  const keep = params.get("keep") || "";
  const drop = (params.get("drop") || "").split(",").filter(Boolean);
  const HAN = /\p{sc=Han}+/gu;
  const SENTINEL = "\u2f00";
  const SETUP = 0, QUERY = 2;
  let words = new Set(), longest = 1, separator = /\s+/;

  function segment(run) {
    const out = [];
    for (let i = 0; i < run.length;) {
      let j = Math.min(run.length, i + longest);
      while (j > i + 1 && !words.has(run.slice(i, j))) j--;
      out.push(run.slice(i, j));
      i = j;
    }
    return ` ${out.map(w => (words.has(w) ? w + SENTINEL : w)).join(" ")} `;
  }

  function prepare(query) {
    const split = query.split(/(\s+)/)  // operators (+word, -word, "a phrase") are left as typed
      .map(t => (/^[+\-"]|"$/.test(t) ? t : t.split(separator).join(" ")))
      .join("");
    const terms = split.replace(HAN, segment).trim().split(/\s+/);
    // A bare number fails inside Material's worker (lunr's wildcard expansion of "1*" throws and
    // the reader sees no result): "1-D convolution" is searched as "D convolution".
    const kept = terms.filter(t => !/^\d+$/.test(t));
    // An English query of several words is also searched whole, as the index keeps a defined
    // term of several words: "learning rate" -> also "learningrate".
    const latin = terms.filter(t => /^[a-z0-9]+$/i.test(t));
    if (latin.length > 1 && latin.length === terms.length) kept.push(latin.join("").toLowerCase());
    return (kept.length ? kept : terms).join(" ");
  }

  addEventListener("message", ({ data: message }) => {
    if (message.type === SETUP) {
      const docs = message.data.docs.filter(d =>
        d.location.startsWith(keep) && !drop.some(p => d.location.startsWith(p)));
      message.data.docs = docs;
      separator = new RegExp(message.data.config.separator);
      words = new Set();
      for (const d of docs)
        for (const w of `${d.title} ${d.text} ${d.terms || ""}`.match(HAN) || []) words.add(w);
      words.delete(SENTINEL);
      longest = 1;
      for (const w of words) longest = Math.max(longest, w.length);
    } else if (message.type === QUERY && typeof message.data === "string") {
      message.data = prepare(message.data);
    }
  });

  // Material loads its language support relative to its own location.
  const load = self.importScripts.bind(self);
  self.importScripts = (...urls) => load(...urls.map(u => new URL(u, worker).href));
  load(worker.href);
})();
