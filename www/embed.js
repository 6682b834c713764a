// Tally storefront loader: defines <tally-wallet> and loads the widget lazily. Docs: README.md.
const base = new URL(".", import.meta.url);
const ATTRS = ["workspace", "key", "customer-token", "sign-in-text"];
const PLACEHOLDER =
  "<style>:host{all:initial;display:block!important;contain:content!important;min-height:172px!important;max-width:420px}" +
  ".p{box-sizing:border-box;height:172px;border-radius:var(--tally-radius,14px);border:1px solid var(--tally-border,#e4e1ec);background:var(--tally-bg,#fff)}</style>" +
  '<div class="p" aria-busy="true" aria-label="Loading your coins"></div><div class="mount"></div>';

let widget; // Promise of the wasm module, started by the first element.
function loadWidget() {
  widget ??= import(new URL("widget/tally_widget.js", base).href).then(async (m) => {
    await m.default({ module_or_path: new URL("widget/tally_widget_bg.wasm", base) });
    return m;
  });
  return widget;
}

function locale() {
  return document.documentElement.lang || navigator.language || "en";
}

class TallyWallet extends HTMLElement {
  static observedAttributes = ATTRS;

  #wallet = null;
  #root = null;

  args() {
    const a = (n) => this.getAttribute(n) ?? "";
    return [base.origin, a("workspace"), a("key"), a("customer-token"), a("sign-in-text"), locale()];
  }

  connectedCallback() {
    if (!this.#root) {
      this.#root = this.attachShadow({ mode: "open" });
      this.#root.innerHTML = PLACEHOLDER;
    }
    loadWidget().then(
      (m) => {
        if (!this.isConnected || this.#wallet) return;
        const mount = this.#root.querySelector(".mount");
        this.#wallet = new m.Wallet(mount, this.args());
        this.#root.querySelector(".p")?.remove();
      },
      (e) => console.error("Tally: the widget could not be loaded", e),
    );
  }

  attributeChangedCallback() {
    this.#wallet?.update(this.args());
  }

  disconnectedCallback() {
    if (this.#wallet) {
      this.#wallet.destroy();
      this.#wallet.free();
      this.#wallet = null;
      this.#root.innerHTML = PLACEHOLDER;
    }
  }
}

if (!customElements.get("tally-wallet")) customElements.define("tally-wallet", TallyWallet);
