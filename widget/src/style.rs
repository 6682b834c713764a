//! The widget's CSS, inside its Shadow DOM. `:host { all: initial }` drops everything the
//! storefront's styles would pass down by inheritance; custom properties still come through,
//! and they are the theming interface (documented in README):
//! `--tally-accent`, `--tally-font`, `--tally-bg`, `--tally-fg`, `--tally-muted`,
//! `--tally-radius`, `--tally-border`.
//!
//! The storefront's styles match the host element itself, so the few host rules that hold the
//! layout are `!important` (an inner `!important` beats an outer one).
//!
//! Every phase renders in the same fixed-height card, so nothing on the page moves when the
//! wallet arrives (no layout shift).

pub const CSS: &str = r#"
:host{all:initial;display:block!important;contain:content!important;min-height:172px!important;max-width:420px}
*{box-sizing:border-box;margin:0;padding:0;border:0;font-family:var(--tally-font,system-ui,-apple-system,"Segoe UI",sans-serif);letter-spacing:normal;text-transform:none}
.card{height:172px;padding:16px 18px;border-radius:var(--tally-radius,14px);border:1px solid var(--tally-border,#e4e1ec);background:var(--tally-bg,#fff);color:var(--tally-fg,#1d1b26);display:flex;flex-direction:column;gap:8px;font-size:15px;line-height:1.4;overflow:hidden}
.hello{color:var(--tally-muted,#5f5b6e);font-size:14px}
.balance{font-size:28px;font-weight:700;letter-spacing:-.01em}
.balance small{font-size:15px;font-weight:500;margin-left:6px;color:var(--tally-muted,#5f5b6e)}
.ref{display:flex;gap:8px;align-items:center;margin-top:auto}
.ref output{flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;font-family:ui-monospace,Menlo,monospace;font-size:13px;padding:7px 9px;border-radius:8px;background:#f4f2fa}
button,.btn{all:unset;cursor:pointer;padding:7px 12px;border-radius:8px;background:var(--tally-accent,#5b3df5);color:#fff;font-size:14px;font-weight:600;white-space:nowrap}
button:focus-visible,.btn:focus-visible{outline:3px solid var(--tally-accent,#5b3df5);outline-offset:2px}
.reward b{font-weight:600}
.reward{font-size:13px;color:var(--tally-muted,#5f5b6e);white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.note{margin:auto 0;text-align:center;color:var(--tally-muted,#5f5b6e)}
.note button{margin-top:10px}
.err{color:#b42318}
.sk{background:linear-gradient(90deg,#eeecf4 25%,#f7f6fb 50%,#eeecf4 75%);background-size:200% 100%;animation:sk 1.2s infinite linear;border-radius:8px}
@keyframes sk{to{background-position:-200% 0}}
@media (prefers-reduced-motion:reduce){.sk{animation:none}}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
"#;
