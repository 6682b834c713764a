// Tally storefront loader: defines <tally-wallet> and loads the widget lazily. Docs: README.md.
const base = new URL(".", import.meta.url);
const ATTRS = ["workspace", "key", "customer-token", "sign-in-text", "locale"];
// The widget's CSS, in its Shadow DOM. `:host { all: initial }` drops everything the
// storefront's styles would pass down by inheritance; custom properties still come through,
// and they are the theming interface (README): --tally-accent, --tally-font, --tally-bg,
// --tally-fg, --tally-muted, --tally-radius, --tally-border. The host rules that hold the layout
// are !important (an inner !important beats an outer one). Every state, and the placeholder
// shown until the wasm is there, is the same fixed-height card: nothing on the page moves.
// Logical properties, so right-to-left languages lay out right to left.
const CSS =
  ":host{all:initial;display:block!important;contain:content!important;min-height:172px!important;max-width:420px}" +
  '*{box-sizing:border-box;margin:0;padding:0;border:0;font-family:var(--tally-font,system-ui,-apple-system,"Segoe UI",sans-serif);letter-spacing:normal;text-transform:none}' +
  ".card{height:172px;padding:16px 18px;border-radius:var(--tally-radius,14px);border:1px solid var(--tally-border,#e4e1ec);background:var(--tally-bg,#fff);color:var(--tally-fg,#1d1b26);display:flex;flex-direction:column;gap:8px;font-size:15px;line-height:1.4;overflow:hidden}" +
  ".hello{color:var(--tally-muted,#5f5b6e);font-size:14px}" +
  ".balance{font-size:28px;font-weight:700}" +
  ".balance small{font-size:15px;font-weight:500;margin-inline-start:6px;color:var(--tally-muted,#5f5b6e)}" +
  ".ref{display:flex;gap:8px;align-items:center;margin-top:auto}" +
  ".ref output{flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;font-family:ui-monospace,Menlo,monospace;font-size:13px;padding:7px 9px;border-radius:8px;background:#f4f2fa}" +
  "button,.btn{all:unset;cursor:pointer;padding:7px 12px;border-radius:8px;background:var(--tally-accent,#5b3df5);color:#fff;font-size:14px;font-weight:600;white-space:nowrap}" +
  "button:focus-visible,.btn:focus-visible{outline:3px solid var(--tally-accent,#5b3df5);outline-offset:2px}" +
  ".stamps{display:flex;gap:8px;align-items:center;font-size:13px;color:var(--tally-muted,#5f5b6e);white-space:nowrap;overflow:hidden}" +
  ".stamps i{display:inline-block;width:11px;height:11px;border-radius:50%;border:2px solid var(--tally-accent,#5b3df5);margin-inline-end:3px}" +
  ".stamps i.f{background:var(--tally-accent,#5b3df5)}" +
  ".reward{font-size:13px;color:var(--tally-muted,#5f5b6e);white-space:nowrap;overflow:hidden;text-overflow:ellipsis}" +
  ".note{margin:auto 0;text-align:center;color:var(--tally-muted,#5f5b6e)}" +
  ".note button{margin-top:10px}" +
  ".err{color:#b42318}" +
  ".sk{background:linear-gradient(90deg,#eeecf4 25%,#f7f6fb 50%,#eeecf4 75%);background-size:200% 100%;animation:sk 1.2s infinite linear;border-radius:8px}" +
  "@keyframes sk{to{background-position:-200% 0}}" +
  "@media (prefers-reduced-motion:reduce){.sk{animation:none}}" +
  ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}";
// Until the wasm is there, an empty card of the final size.
const PLACEHOLDER = `<style>${CSS}</style><div class="card p" aria-busy="true"></div><div class="mount"></div>`;

// The widget's strings (scripts/assets.mjs fills these in from widget/i18n/, as arrays in the
// order of en.json): English built in, other languages as content-hashed files fetched while
// the wasm loads, before the data.
const EN = "__TALLY_EN__";
const CATALOGS = "__TALLY_CATALOGS__";

let widget; // Promise of the wasm module, started by the first element.
function loadWidget() {
  widget ??= import(new URL("widget/tally_widget.js", base).href).then(async (m) => {
    await m.default({ module_or_path: new URL("widget/tally_widget_bg.wasm", base) });
    return m;
  });
  return widget;
}

// The shopper's language: the element's `locale`, the nearest `lang`, the browser's, English.
// Tags are normalised (`en_US` → `en-US`); an invalid or empty one is skipped, never thrown.
function language(el) {
  for (const tag of [el.getAttribute("locale"), el.closest("[lang]")?.lang, navigator.language]) {
    try {
      if (tag) return Intl.getCanonicalLocales(tag.replace(/_/g, "-"))[0];
    } catch {}
  }
  return "en";
}

const loaded = {};
// `fr-CA` → `fr`, then English; a catalog that fails to load is English too.
function strings(lang) {
  const file = CATALOGS[lang.split("-")[0]];
  return (loaded[file] ??= file ? fetch(new URL(file, base)).then((r) => r.json()).catch(() => []) : []);
}

// `t(key, n, name)`: string `key` (255: a number), the plural form through Intl.PluralRules,
// numbers through Intl.NumberFormat, `{name}` as given. What the wasm renders every string with.
// Key 254 is money: `n` minor units of the currency `name` names with its ISO 4217 exponent
// (`EUR2`), shown with exactly that many decimals.
function translator(lang, s) {
  const plural = new Intl.PluralRules(lang);
  const number = new Intl.NumberFormat(lang);
  return (key, n, name) => {
    if (key == 254) {
      const d = +name[3];
      return new Intl.NumberFormat(lang, { style: "currency", currency: name.slice(0, 3), minimumFractionDigits: d, maximumFractionDigits: d }).format(n / 10 ** d);
    }
    let v = key == 255 ? "{n}" : s[key] ?? EN[key];
    if (typeof v == "object") v = v[plural.select(n)] ?? v.other;
    return v.replace("{n}", () => number.format(n)).replace("{name}", () => name);
  };
}

class TallyWallet extends HTMLElement {
  static observedAttributes = ATTRS;

  #wallet = null;
  #root = null;
  #seq = 0;

  // Everything the wasm needs, once this element's language has its strings.
  async #args() {
    const a = (n) => this.getAttribute(n) ?? "";
    const lang = language(this);
    const t = translator(lang, await strings(lang));
    return [lang, [base.origin, a("workspace"), a("key"), a("customer-token"), a("sign-in-text"), t]];
  }

  #mount(lang) {
    const mount = this.#root.querySelector(".mount");
    mount.lang = lang;
    mount.dir = /^(ar|fa|he|ur)\b/.test(lang) ? "rtl" : "ltr";
    return mount;
  }

  connectedCallback() {
    if (!this.#root) {
      this.#root = this.attachShadow({ mode: "open" });
      this.#root.innerHTML = PLACEHOLDER;
    }
    const seq = ++this.#seq;
    // The strings load while the wasm does; the attributes are read once both are there
    // (a page may set them meanwhile).
    strings(language(this));
    loadWidget().then(
      async (m) => {
        const [lang, args] = await this.#args();
        if (!this.isConnected || this.#wallet || seq != this.#seq) return;
        this.#wallet = new m.Wallet(this.#mount(lang), args);
        this.#root.querySelector(".p")?.remove();
      },
      (e) => console.error("Tally: the widget could not be loaded", e),
    );
  }

  attributeChangedCallback() {
    if (!this.#wallet) return;
    const seq = ++this.#seq;
    this.#args().then(([lang, args]) => {
      if (seq == this.#seq && this.#wallet) {
        this.#mount(lang);
        this.#wallet.update(args);
      }
    });
  }

  disconnectedCallback() {
    this.#seq++;
    if (this.#wallet) {
      this.#wallet.destroy();
      this.#wallet.free();
      this.#wallet = null;
      this.#root.innerHTML = PLACEHOLDER;
    }
  }
}

if (!customElements.get("tally-wallet")) customElements.define("tally-wallet", TallyWallet);
